import fc from 'fast-check';
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
import { decodeTextTable, parseUpload } from '~/server/training/upload-dataset';
import { parseXml, XmlParseError } from '~/server/xml/parse';
import { breaksPolicy, count, fuzzParams, hostileValue, printCounts, unsafeString } from '../../helpers/fuzz';

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
  const options = {
    name: 'x',
    format: 'auto',
    groupColumn: 'vehicle',
    groupKind: 'vehicle',
    label: { type: 'none' },
  } as unknown as Parameters<typeof parseUpload>[1];

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
          const r = parseUpload(decodeTextTable(new Uint8Array(b)), options);
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
