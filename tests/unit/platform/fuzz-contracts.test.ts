import fc from 'fast-check';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import { simEventSchema } from '~/server/contracts/events';
import { featuresMessageSchema } from '~/server/contracts/features';
import { modelDeploymentChangedSchema } from '~/server/contracts/models';
import { alertMessageSchema, predictionMessageSchema } from '~/server/contracts/predictions';
import { runStatusSchema } from '~/server/contracts/run-status';
import { simCommandSchema } from '~/server/contracts/sim-commands';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';
import { AppError } from '~/server/errors';
import { buildDlqMessage, decodeMessage } from '~/server/kafka/messages';
import { OpenDriveError } from '~/server/maps/opendrive';
import { analyseXodr } from '~/server/maps/org-maps';
import { buildLineage } from '~/server/models/lineage';
import { readOnnxMetadata } from '~/server/models/onnx-metadata';
import { decodeTextTable, parseUpload } from '~/server/training/upload-dataset';
import { parseXml, XmlParseError } from '~/server/xml/parse';
import {
  breaksPolicy,
  count,
  fuzzParams,
  hostileNumber,
  hostileString,
  hostileValue,
  printCounts,
  unsafeString,
} from '../../helpers/fuzz';
import { unlabelledUploadOptions } from '../../helpers/upload-options';

// Pure entry points, fuzzed with hostile bytes (issue 19): every Kafka contract (bytes → a
// value or a DLQ record with its reason, never a throw), table uploads and XML documents.

const CONTRACTS = {
  telemetry: telemetryFrameSchema,
  events: simEventSchema,
  runStatus: runStatusSchema,
  simCommands: simCommandSchema,
  features: featuresMessageSchema,
  predictions: predictionMessageSchema,
  alerts: alertMessageSchema,
  models: modelDeploymentChangedSchema,
  dlq: dlqMessageSchema,
};

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  hostileValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')),
  unsafeString.map((s) => Buffer.from(JSON.stringify({ v: 1, orgId: s, runId: s }))),
  fc.integer({ min: 401, max: 20_000 }).map((d) => Buffer.from('['.repeat(d) + ']'.repeat(d))),
);

afterAll(() => printCounts('contracts and files'));

describe('fuzz: every Kafka contract', () => {
  it.each(Object.entries(CONTRACTS))(
    '%s: any bytes are a valid message or a DLQ record with a reason',
    (name, schema) => {
      fc.assert(
        fc.property(bytes, (value) => {
          count(`kafka ${name}`);
          const d = decodeMessage(schema, Buffer.from(value));
          if (d.ok) {
            expect(breaksPolicy(d.value)).toBe(false);
            return;
          }
          expect(['parse', 'validation']).toContain(d.reason);
          const dlq = buildDlqMessage(
            { topic: name, partition: 0, offset: '1', key: null, value: Buffer.from(value) },
            { reason: d.reason, error: d.error || 'empty', consumerGroup: 'fuzz' },
          );
          expect(dlqMessageSchema.safeParse(dlq).success).toBe(true);
        }),
        fuzzParams(150),
      );
    },
  );
});

describe('fuzz: uploads and XML', () => {
  it('a table upload of any bytes parses or is a 400, never another error', () => {
    const table = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .array(
          fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 6 }), fc.constant('')), { minLength: 2, maxLength: 4 }),
          { maxLength: 6 },
        )
        .map((rows) => Buffer.from(['vehicle,a,b,c', ...rows.map((r) => `v1,${r.join(',')}`)].join('\n'))),
    );
    fc.assert(
      fc.property(table, (b) => {
        count('upload csv');
        try {
          const r = parseUpload(decodeTextTable(new Uint8Array(b)), unlabelledUploadOptions);
          expect(r.stats.columns.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).status).toBe(400);
        }
      }),
      fuzzParams(300),
    );
  });

  it('any XML text parses or is an XmlParseError, never a stack overflow', () => {
    const xml = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.integer({ min: 1, max: 50_000 }).map((d) => '<a>'.repeat(d) + '</a>'.repeat(d)),
      fc.integer({ min: 1, max: 50_000 }).map((d) => `<r>${'<a x="1">'.repeat(d)}`),
      fc.constantFrom('<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', '<r>&lol;</r>', '<r a="&#0;"/>', '<r>\u0000</r>'),
    );
    fc.assert(
      fc.property(xml, (text) => {
        count('xml');
        try {
          parseXml(text);
        } catch (err) {
          expect(err).toBeInstanceOf(XmlParseError);
        }
      }),
      fuzzParams(200),
    );
  });
});

describe('fuzz: .xodr map uploads', () => {
  // A small valid network whose numeric attributes are the fuzzer's to choose.
  const SLOTS = [
    'roadLength',
    'gs',
    'gx',
    'gy',
    'hdg',
    'glen',
    'curv',
    'width',
    'speed',
    'sig',
    'north',
    'laneId',
  ] as const;
  type Slots = Record<(typeof SLOTS)[number], string>;
  const base: Slots = {
    roadLength: '100',
    gs: '0',
    gx: '0',
    gy: '0',
    hdg: '0',
    glen: '100',
    curv: '0.01',
    width: '3.5',
    speed: '50',
    sig: '30',
    north: '10',
    laneId: '-1',
  };
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const doc = (v: Slots) => `<?xml version="1.0"?>
<OpenDRIVE><header revMajor="1" revMinor="6" north="${esc(v.north)}"/>
<road id="1" length="${esc(v.roadLength)}" junction="-1"><type s="0" type="town"><speed max="${esc(v.speed)}" unit="km/h"/></type>
<planView><geometry s="${esc(v.gs)}" x="${esc(v.gx)}" y="${esc(v.gy)}" hdg="${esc(v.hdg)}" length="${esc(v.glen)}"><arc curvature="${esc(v.curv)}"/></geometry></planView>
<lanes><laneSection s="0"><center><lane id="0" type="none"/></center>
<right><lane id="${esc(v.laneId)}" type="driving"><width sOffset="0" a="${esc(v.width)}" b="0" c="0" d="0"/></lane></right></laneSection></lanes>
<signals><signal id="s" s="1" t="-2" value="${esc(v.sig)}" dynamic="no" orientation="+" type="274"/></signals></road></OpenDRIVE>`;
  const value = fc.oneof(
    hostileNumber.map(String),
    fc.constantFrom('1e+308', '-1e309', 'Infinity', '-Infinity', 'NaN', '0x1p3', '1e9', '-1e10', '', ' ', '1_0'),
    fc.double().map(String),
    hostileString,
  );
  const files = fc.oneof(
    fc.dictionary(fc.constantFrom(...SLOTS), value, { maxKeys: 3 }).map((edits) => doc({ ...base, ...edits })),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.integer({ min: 20, max: 5_000 }).map((d) => `<OpenDRIVE>${'<road>'.repeat(d)}`),
  );

  it('any file is read with finite stats and preview, or refused with a reason, never another error', () => {
    fc.assert(
      fc.property(files, (text) => {
        count('upload xodr');
        let analysed;
        try {
          analysed = analyseXodr(text);
        } catch (err) {
          expect(
            [OpenDriveError, XmlParseError].some((E) => err instanceof E),
            String(err),
          ).toBe(true);
          expect((err as Error).message.length).toBeGreaterThan(0);
          return;
        }
        for (const [k, n] of Object.entries(analysed.stats))
          if (typeof n === 'number') expect(Number.isFinite(n), `stats.${k} = ${n}`).toBe(true);
        expect(analysed.previewSvg).not.toMatch(/Infinity|NaN/);
        expect(analysed.stats.drivableLengthM).toBeLessThanOrEqual(1e9);
      }),
      fuzzParams(150),
    );
  });
});

describe('fuzz: ONNX model metadata', () => {
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return out;
  };
  const field = (no: number, body: Uint8Array) => [...varint(no * 8 + 2), ...varint(body.length), ...body];
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const entry = (k: string, v: string) => Uint8Array.from([...field(1, utf8(k)), ...field(2, utf8(v))]);
  const key = fc.oneof(
    hostileString,
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'drivelab.run_id', 'hasOwnProperty'),
  );
  const model = fc.tuple(
    fc.array(fc.tuple(key, hostileString), { maxLength: 6 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.nat(),
    fc.boolean(),
  );

  it('any bytes give metadata with every key kept, or a bounded error; no pollution; tRPC can send it', () => {
    fc.assert(
      fc.property(model, ([pairs, junk, cut, truncate]) => {
        count('onnx metadata');
        // Field 7 (graph) as junk bytes beside the metadata, as a real model has.
        const parts = pairs.map(([k, v]) => field(14, entry(k, v)));
        const bytes = Uint8Array.from([...field(7, junk), ...parts.flat()]);
        const input = truncate ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
        let meta: Record<string, string>;
        try {
          meta = readOnnxMetadata(input);
        } catch (err) {
          expect(truncate).toBe(true);
          expect((err as Error).message).toMatch(/truncated|varint|wire type/);
          return;
        }
        if (!truncate) {
          // What survives UTF-8 (a lone surrogate is U+FFFD on the way back); the last of a key wins.
          const wire = (t: string) => new TextDecoder().decode(utf8(t));
          const expected = new Map(pairs.filter(([k]) => k !== '').map(([k, v]) => [wire(k), wire(v)]));
          expect(Object.keys(meta).sort()).toEqual([...expected.keys()].sort());
          for (const [k, v] of expected) expect(Object.getOwnPropertyDescriptor(meta, k)?.value).toBe(v);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        // The model page sends lineage facts through superjson, which throws on a __proto__ key.
        const lineage = buildLineage(null, null, meta);
        expect(() => superjson.serialize(lineage)).not.toThrow();
      }),
      fuzzParams(100),
    );
  });
});
