import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { mk } from './helpers';
import { seededRandom } from '~/server/random';

/** Seeded generator: the same stream on every run, so failures reproduce. */
export const rng = seededRandom;

export interface MessyStreamOptions {
  seed: number;
  vehicles: string[];
  runId?: string;
  seconds: number;
  hz?: number;
  /** Probability that a frame is lost (a seq gap). */
  drop?: number;
  /** Probability that a reading is null. */
  nulls?: number;
  /** Probability that a frame is delivered this many seconds late (uniform in [0, maxDelayS]). */
  delay?: number;
  maxDelayS?: number;
  /** Probability of a duplicate delivery. */
  dup?: number;
}

/**
 * Frames of several vehicles in delivery order: dropped frames, null readings, small jitter
 * (neighbours swapped), some frames delayed by up to maxDelayS, some duplicated, and a stretch where
 * the engine temperature sticks.
 */
export function messyStream(o: MessyStreamOptions): TelemetryFrame[] {
  const r = rng(o.seed);
  const hz = o.hz ?? 20;
  const n = Math.round(o.seconds * hz);
  const maybe = (x: number): number | null => (r() < (o.nulls ?? 0.1) ? null : x);
  const timed: { at: number; f: TelemetryFrame }[] = [];
  for (const vehicleId of o.vehicles) {
    let speed = 10 + r() * 10;
    let temp = 85;
    for (let seq = 0; seq < n; seq++) {
      if (r() < (o.drop ?? 0.05)) continue;
      const t = seq / hz;
      speed = Math.max(0, speed + (r() - 0.5));
      temp += r() * 0.05;
      const stuckTemp = t >= 12 && t < 15.5;
      const f = mk({
        t,
        seq,
        runId: o.runId,
        vehicleId,
        speed: maybe(speed),
        lon: maybe(r() * 4 - 2),
        lat: maybe(r() * 2 - 1),
        yawRate: maybe(r() * 0.2 - 0.1),
        throttle: r(),
        brake: r() < 0.8 ? 0 : r(),
        steer: r() * 2 - 1,
        rpm: maybe(1500 + r() * 2000),
        engineTemp: stuckTemp ? 91.25 : maybe(temp),
        batteryTemp: maybe(30 + r()),
        brakePressure: maybe(r() * 50),
        tires: [maybe(230 - t * 0.1 + r()), maybe(231 + r()), maybe(229 + r()), maybe(232 + r())],
        laneOffset: maybe(r() - 0.5),
        ttc: r() < 0.3 ? maybe(1 + r() * 9) : null,
      });
      let at = t + r() * 0.15;
      if (r() < (o.delay ?? 0.03)) at += r() * (o.maxDelayS ?? 3);
      timed.push({ at, f });
      if (r() < (o.dup ?? 0.01)) timed.push({ at: at + r() * 0.2, f });
    }
  }
  timed.sort((a, b) => a.at - b.at);
  return timed.map((x) => x.f);
}
