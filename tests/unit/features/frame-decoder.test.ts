import { afterEach, describe, expect, it, vi } from 'vitest';
import { telemetryFrameSchema, type TelemetryFrame } from '~/server/contracts/telemetry';
import { decodeMessage } from '~/server/kafka/messages';
import { decodeFrameRow } from '~/workers/features/frame-decoder';
import { STRIDE, writeRow } from '~/workers/features/frame-row';
import { frame } from '../../helpers/frames';
import { simulateRun } from '../../helpers/pipeline';

/**
 * The features worker decodes telemetry with a fast check and falls back to zod for anything the
 * check does not accept. Its verdict, error text and values must be exactly zod's.
 */

/** Row of what zod accepted, for comparison (NaN = null). */
function zodRow(f: TelemetryFrame): number[] {
  const d = new Float64Array(STRIDE);
  writeRow(f, d, 0);
  return [...d];
}

/** decodeFrameRow and decodeMessage(telemetryFrameSchema) agree on this value. */
function expectAgreement(value: Buffer | null): boolean {
  const want = decodeMessage(telemetryFrameSchema, value);
  const data = new Float64Array(2 * STRIDE).fill(-12345);
  const got = decodeFrameRow(value, data, 1);
  expect(got.ok).toBe(want.ok);
  if (want.ok && got.ok) {
    expect(got.value).toEqual({ orgId: want.value.orgId, runId: want.value.runId, vehicleId: want.value.vehicleId });
    expect([...data.subarray(STRIDE)]).toEqual(zodRow(want.value));
    // Row 0 untouched: a decoder writes only its own row.
    expect(data[0]).toBe(-12345);
  } else if (!want.ok && !got.ok) {
    expect(got.reason).toBe(want.reason);
    expect(got.error).toBe(want.error);
  }
  return want.ok;
}

const enc = (x: unknown) => Buffer.from(JSON.stringify(x));

/** Sets a dotted path of a copy (a missing or non-object parent: the copy unchanged). */
function setPath(root: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  const keys = path.split('.');
  let o: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null) return copy;
    o = next as Record<string, unknown>;
  }
  if (value === DELETE) Reflect.deleteProperty(o, keys.at(-1)!);
  else o[keys.at(-1)!] = value;
  return copy;
}
const DELETE = Symbol('delete');

const PATHS = [
  'v',
  'orgId',
  'runId',
  'vehicleId',
  'seq',
  't',
  'ts',
  'pose',
  'pose.x',
  'pose.yaw',
  'gnss',
  'gnss.lat',
  'gnss.alt',
  'speed',
  'accel',
  'accel.lon',
  'accel.lat',
  'yawRate',
  'control',
  'control.throttle',
  'control.brake',
  'control.steer',
  'powertrain',
  'powertrain.rpm',
  'powertrain.engineTemp',
  'powertrain.batterySoc',
  'powertrain.batteryTemp',
  'brakes',
  'brakes.pressure',
  'tires',
  'tires.pressure',
  'lane',
  'lane.offset',
  'lead',
  'lead.distance',
  'lead.ttc',
];
const ODD_VALUES: unknown[] = [
  DELETE,
  null,
  0,
  -0,
  -1,
  0.5,
  1,
  1.5,
  -1.5,
  2,
  1e300,
  -1e300,
  2 ** 53,
  2 ** 53 + 2,
  3.7,
  '',
  'x',
  '1',
  true,
  false,
  [],
  [1, 2, 3, 4],
  [null, null, null, null],
  [1, 2, 3],
  [1, 2, 3, 4, 5],
  ['1', 2, 3, 4],
  {},
  { x: 1 },
];

describe('telemetry decoding for the features worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it('decodes every frame of a simulated run (dropouts included) exactly as zod does', () => {
    const { frames } = simulateRun('org_dec', 'run_dec', { vehicles: 6, durationS: 20, seed: 5 });
    let nulls = 0;
    for (const f of frames) {
      expect(expectAgreement(enc(f))).toBe(true);
      nulls += [f.speed, f.accel.lon, f.powertrain.engineTemp, f.lead.ttc, ...f.tires.pressure].filter(
        (x) => x === null,
      ).length;
    }
    expect(frames.length).toBeGreaterThan(2000);
    expect(nulls).toBeGreaterThan(0);
  });

  it('takes the fast path for ordinary frames: zod is not consulted', () => {
    const spy = vi.spyOn(telemetryFrameSchema, 'safeParse');
    const data = new Float64Array(STRIDE);
    expect(decodeFrameRow(enc(frame({ seq: 3, t: 0.15, speed: null })), data, 0).ok).toBe(true);
    expect(spy).not.toHaveBeenCalled();
    expect(decodeFrameRow(enc(frame({ seq: -1 })), data, 0).ok).toBe(false);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('agrees with zod on every field set to every odd value, and on bytes that are not a frame', () => {
    const base = frame({ seq: 7, t: 1.25, lead: { distance: 30, ttc: 2.5 } }) as unknown as Record<string, unknown>;
    let valid = 0;
    let invalid = 0;
    for (const path of PATHS) {
      for (const value of ODD_VALUES) {
        if (expectAgreement(enc(setPath(base, path, value)))) valid++;
        else invalid++;
      }
    }
    // Both verdicts occur, so the comparison is not vacuous.
    expect(valid).toBeGreaterThan(100);
    expect(invalid).toBeGreaterThan(500);

    const raw = [
      null,
      Buffer.alloc(0),
      Buffer.from('{'),
      Buffer.from('null'),
      Buffer.from('[]'),
      Buffer.from('"frame"'),
      Buffer.from('\u00ff\u00fe'),
      Buffer.from('{"v":1}'),
    ];
    for (const b of raw) expect(expectAgreement(b)).toBe(false);
  });

  it('agrees with zod on frames with extra keys, other key orders, whitespace and non-ASCII ids', () => {
    const f = frame({ vehicleId: 'Fahrzeug-ä-🚗', runId: 'run "quoted" \\ id', seq: 2 });
    expect(expectAgreement(enc({ extra: { deep: [1, { x: 2 }] }, ...f, pose: { ...f.pose, roll: 0.1 } }))).toBe(true);
    const reversed = Object.fromEntries(Object.entries(f).reverse());
    expect(expectAgreement(enc(reversed))).toBe(true);
    expect(expectAgreement(Buffer.from(JSON.stringify(f, null, 2)))).toBe(true);
    // JSON.parse keeps the last of duplicate keys: so must the decoder.
    const dup = Buffer.from(JSON.stringify(f).replace('"seq":2', '"seq":-5,"seq":2'));
    expect(expectAgreement(dup)).toBe(true);
    const dupBad = Buffer.from(JSON.stringify(f).replace('"seq":2', '"seq":2,"seq":-5'));
    expect(expectAgreement(dupBad)).toBe(false);
  });

  it('agrees with zod on 5,000 randomly damaged frames', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const base = frame({ seq: 1, t: 0.05 }) as unknown as Record<string, unknown>;
    let valid = 0;
    for (let i = 0; i < 5000; i++) {
      let f = base;
      const damage = 1 + Math.floor(rnd() * 3);
      for (let d = 0; d < damage; d++)
        f = setPath(f, pick(PATHS), rnd() < 0.5 ? pick(ODD_VALUES) : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8));
      let bytes = enc(f);
      // Now and then a byte flipped: broken JSON must get JSON.parse's own error text.
      if (rnd() < 0.1) {
        bytes = Buffer.from(bytes);
        bytes[Math.floor(rnd() * bytes.length)] = pick([0x7b, 0x22, 0x2c, 0x30, 0x5d]);
      }
      if (expectAgreement(bytes)) valid++;
    }
    expect(valid).toBeGreaterThan(200);
  });
});
