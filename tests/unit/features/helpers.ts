import type { FeatureName, FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { frame } from '../../helpers/frames';

export interface FrameSpec {
  t: number;
  seq: number;
  runId?: string;
  vehicleId?: string;
  orgId?: string;
  speed?: number | null;
  lon?: number | null;
  lat?: number | null;
  yawRate?: number | null;
  throttle?: number;
  brake?: number;
  steer?: number;
  rpm?: number | null;
  engineTemp?: number | null;
  batteryTemp?: number | null;
  brakePressure?: number | null;
  tires?: [number | null, number | null, number | null, number | null];
  laneOffset?: number | null;
  ttc?: number | null;
}

/** A frame whose readings all vary with seq unless set, so that nothing looks stuck by accident. */
export function mk(s: FrameSpec): TelemetryFrame {
  const wobble = (s.seq % 7) * 0.01;
  const base = frame();
  return {
    ...base,
    orgId: s.orgId ?? base.orgId,
    runId: s.runId ?? base.runId,
    vehicleId: s.vehicleId ?? base.vehicleId,
    seq: s.seq,
    t: s.t,
    speed: s.speed !== undefined ? s.speed : 12 + wobble,
    accel: { lon: s.lon !== undefined ? s.lon : 0.2 + wobble, lat: s.lat !== undefined ? s.lat : wobble },
    yawRate: s.yawRate !== undefined ? s.yawRate : wobble,
    control: { throttle: s.throttle ?? 0.3, brake: s.brake ?? 0, steer: s.steer ?? 0 },
    powertrain: {
      rpm: s.rpm !== undefined ? s.rpm : 2100 + s.seq,
      engineTemp: s.engineTemp !== undefined ? s.engineTemp : 90 + wobble,
      batterySoc: 0.8,
      batteryTemp: s.batteryTemp !== undefined ? s.batteryTemp : 30 + wobble,
    },
    brakes: { pressure: s.brakePressure !== undefined ? s.brakePressure : 0 },
    tires: { pressure: s.tires ?? [230 + wobble, 231 + wobble, 229 + wobble, 232 + wobble] },
    lane: { offset: s.laneOffset !== undefined ? s.laneOffset : 0.1 + wobble },
    lead: { distance: null, ttc: s.ttc !== undefined ? s.ttc : null },
  };
}

export function named(m: FeaturesMessage): Record<FeatureName, number | null> {
  const out: Record<string, number | null> = {};
  m.names.forEach((n, i) => (out[n] = m.values[i] ?? null));
  return out;
}

export function rowKey(m: Pick<FeaturesMessage, 'runId' | 'vehicleId' | 'windowStart' | 'windowSize'>): string {
  return `${m.runId}|${m.vehicleId}|${m.windowStart}|${m.windowSize}`;
}

/** What an idempotent upsert sink ends up holding: the last emission per row key. */
export function upsert(
  into: Map<string, FeaturesMessage>,
  messages: readonly FeaturesMessage[],
): Map<string, FeaturesMessage> {
  for (const m of messages) into.set(rowKey(m), m);
  return into;
}

// ---- A deliberately naive second implementation of the documented definitions, for comparison.

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function std(xs: number[]): number | null {
  const m = mean(xs);
  if (m === null) return null;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
}

function slope(ts: number[], ys: number[]): number | null {
  if (ts.length < 2) return null;
  const mt = mean(ts)!;
  const my = mean(ys)!;
  let num = 0;
  let den = 0;
  for (let i = 0; i < ts.length; i++) {
    num += (ts[i]! - mt) * (ys[i]! - my);
    den += (ts[i]! - mt) ** 2;
  }
  return den > 0 ? num / den : null;
}

function present(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null);
}

function rates(fs: TelemetryFrame[], read: (f: TelemetryFrame) => number | null): number[] {
  const pts = fs.map((f) => [f.t, read(f)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const out: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dt = pts[i]![0] - pts[i - 1]![0];
    if (dt > 0) out.push((pts[i]![1] - pts[i - 1]![1]) / dt);
  }
  return out;
}

export function referenceFeatures(
  frames: TelemetryFrame[],
  start: number,
  end: number,
  sensorHz: number,
): Record<FeatureName, number | null> {
  const sorted = [...frames].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const fs = sorted.filter((f, i) => i === 0 || f.seq !== sorted[i - 1]!.seq);
  const col = (read: (f: TelemetryFrame) => number | null) => present(fs.map(read));
  const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : null);
  const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const speed = col((f) => f.speed);
  const lon = col((f) => f.accel.lon);
  const lat = col((f) => f.accel.lat);
  const eng = fs.filter((f) => f.powertrain.engineTemp !== null);
  const tireMins = fs
    .map((f) => [f.t, present([...f.tires.pressure])] as const)
    .filter((p) => p[1].length > 0)
    .map((p) => [p[0], Math.min(...p[1])] as const);
  const jerks = rates(fs, (f) => f.accel.lon).map(Math.abs);
  let gaps = 0;
  for (let i = 1; i < fs.length; i++) gaps += Math.max(0, fs[i]!.seq - fs[i - 1]!.seq - 1);
  const expected = Math.round((end - Math.max(start, 0)) * sensorHz);
  const channels: ((f: TelemetryFrame) => number | null)[] = [
    (f) => f.speed,
    (f) => f.accel.lon,
    (f) => f.accel.lat,
    (f) => f.yawRate,
    (f) => f.powertrain.rpm,
    (f) => f.powertrain.engineTemp,
    (f) => f.powertrain.batteryTemp,
    (f) => f.tires.pressure[0],
    (f) => f.tires.pressure[1],
    (f) => f.tires.pressure[2],
    (f) => f.tires.pressure[3],
    (f) => f.lane.offset,
  ];
  const stuck =
    speed.length === 0
      ? null
      : mean(speed)! < 0.5
        ? 0
        : channels.map(col).filter((xs) => xs.length >= 3 && new Set(xs).size === 1).length;
  return {
    speed_mean: mean(speed),
    speed_std: std(speed),
    speed_min: minOf(speed),
    speed_max: maxOf(speed),
    accel_lon_mean: mean(lon),
    accel_lon_std: std(lon),
    accel_lon_min: minOf(lon),
    accel_lon_max: maxOf(lon),
    accel_lat_mean: mean(lat),
    accel_lat_std: std(lat),
    accel_lat_min: minOf(lat),
    accel_lat_max: maxOf(lat),
    jerk_max: maxOf(jerks),
    yaw_rate_std: std(col((f) => f.yawRate)),
    steering_rate_std: std(rates(fs, (f) => f.control.steer)),
    throttle_mean: mean(col((f) => f.control.throttle)),
    brake_mean: mean(col((f) => f.control.brake)),
    brake_pressure_mean: mean(col((f) => f.brakes.pressure)),
    brake_pressure_max: maxOf(col((f) => f.brakes.pressure)),
    engine_temp_mean: mean(eng.map((f) => f.powertrain.engineTemp!)),
    engine_temp_slope: slope(
      eng.map((f) => f.t),
      eng.map((f) => f.powertrain.engineTemp!),
    ),
    battery_temp_mean: mean(col((f) => f.powertrain.batteryTemp)),
    battery_temp_max: maxOf(col((f) => f.powertrain.batteryTemp)),
    tire_pressure_min: minOf(tireMins.map((p) => p[1])),
    tire_pressure_min_slope: slope(
      tireMins.map((p) => p[0]),
      tireMins.map((p) => p[1]),
    ),
    lead_ttc_min: minOf(col((f) => f.lead.ttc)),
    lane_offset_std: std(col((f) => f.lane.offset)),
    frame_count: fs.length,
    missing_frame_ratio: expected > 0 ? Math.min(1, Math.max(0, 1 - fs.length / expected)) : null,
    seq_gap_count: fs.length ? gaps : null,
    stuck_channels: stuck,
    stuck_sensor: stuck === null ? null : stuck > 0 ? 1 : 0,
    vibration_mean: mean(col((f) => f.vibration ?? null)),
    vibration_max: maxOf(col((f) => f.vibration ?? null)),
  };
}

/** Asserts two feature records agree: nulls exactly, numbers to a relative tolerance. */
export function expectClose(
  actual: Record<string, number | null>,
  expected: Record<string, number | null>,
  context: string,
): void {
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    if (want === null || got === null || got === undefined) {
      if (got !== want) throw new Error(`${context}: ${name} = ${got}, expected ${want}`);
      continue;
    }
    const tol = 1e-9 * Math.max(1, Math.abs(want));
    if (!(Math.abs(got - want) <= tol)) throw new Error(`${context}: ${name} = ${got}, expected ${want}`);
  }
}
