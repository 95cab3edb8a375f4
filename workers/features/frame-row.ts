import type { TelemetryFrame } from '~/server/contracts/telemetry';

/**
 * A frame as the window operator keeps it: the identity as strings, and the readings the features
 * use as one row of doubles (NaN where the sensor sent null). Windows hold their frames as rows in
 * one Float64Array instead of parsed objects: a parsed frame is a dozen objects and thirty boxed
 * doubles that live until the window is final, and collecting those was a quarter of the worker's
 * time.
 */
export const COL = {
  t: 0,
  seq: 1,
  speed: 2,
  accelLon: 3,
  accelLat: 4,
  yawRate: 5,
  throttle: 6,
  brake: 7,
  steer: 8,
  brakePressure: 9,
  rpm: 10,
  engineTemp: 11,
  batteryTemp: 12,
  tire0: 13,
  leadTtc: 17,
  laneOffset: 18,
  vibration: 19,
} as const;

/** Doubles per row. */
export const STRIDE = 20;

export interface FrameRecord {
  orgId: string;
  runId: string;
  vehicleId: string;
  /** The row starts at data[row * STRIDE]. */
  data: Float64Array;
  row: number;
}

const nan = (x: number | null): number => (x === null ? NaN : x);

/** Writes a validated frame's readings into row `row` of data. */
export function writeRow(f: TelemetryFrame, data: Float64Array, row: number): void {
  const o = row * STRIDE;
  data[o + COL.t] = f.t;
  data[o + COL.seq] = f.seq;
  data[o + COL.speed] = nan(f.speed);
  data[o + COL.accelLon] = nan(f.accel.lon);
  data[o + COL.accelLat] = nan(f.accel.lat);
  data[o + COL.yawRate] = nan(f.yawRate);
  data[o + COL.throttle] = f.control.throttle;
  data[o + COL.brake] = f.control.brake;
  data[o + COL.steer] = f.control.steer;
  data[o + COL.brakePressure] = nan(f.brakes.pressure);
  data[o + COL.rpm] = nan(f.powertrain.rpm);
  data[o + COL.engineTemp] = nan(f.powertrain.engineTemp);
  data[o + COL.batteryTemp] = nan(f.powertrain.batteryTemp);
  const p = f.tires.pressure;
  for (let i = 0; i < 4; i++) data[o + COL.tire0 + i] = nan(p[i] ?? null);
  data[o + COL.leadTtc] = nan(f.lead.ttc);
  data[o + COL.laneOffset] = nan(f.lane.offset);
  data[o + COL.vibration] = nan(f.vibration ?? null);
}

/** The record of one frame (tests and callers that hold parsed frames). */
export function recordOf(f: TelemetryFrame): FrameRecord {
  const data = new Float64Array(STRIDE);
  writeRow(f, data, 0);
  return { orgId: f.orgId, runId: f.runId, vehicleId: f.vehicleId, data, row: 0 };
}

/** Rows of one window, in arrival order until sorted; grows by doubling. */
export class RowBuffer {
  data: Float64Array;
  count = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(1, capacity) * STRIDE);
  }

  push(src: Float64Array, row: number): void {
    if ((this.count + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    const to = this.count * STRIDE;
    const from = row * STRIDE;
    for (let i = 0; i < STRIDE; i++) d[to + i] = src[from + i]!;
    this.count++;
  }

  /** Orders rows by (t, seq); they usually arrive in order, so the check is the common path. */
  sort(): void {
    const d = this.data;
    const n = this.count;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (compareRows(d, i - 1, i) > 0) sorted = false;
    if (sorted) return;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareRows(d, a, b));
    const out = new Float64Array(d.length);
    for (let i = 0; i < n; i++) out.set(d.subarray(order[i]! * STRIDE, (order[i]! + 1) * STRIDE), i * STRIDE);
    this.data = out;
  }
}

function compareRows(d: Float64Array, a: number, b: number): number {
  return d[a * STRIDE + COL.t]! - d[b * STRIDE + COL.t]! || d[a * STRIDE + COL.seq]! - d[b * STRIDE + COL.seq]!;
}
