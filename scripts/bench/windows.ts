/**
 * Throughput of the pure window operator (no Kafka, no JSON): 20 vehicles at 20 Hz over five
 * minutes of event time, 1 s tumbling windows and 10 s / 1 s sliding aggregates. Prints one JSON
 * object.
 *
 *   npx tsx scripts/bench/windows.ts
 *
 * BENCH_VEHICLES, BENCH_HZ, BENCH_SECONDS and BENCH_REPEATS override the defaults.
 */
import os from 'node:os';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createWindowOperator } from '~/workers/features';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : fallback;
}

const VEHICLES = envInt('BENCH_VEHICLES', 20);
const HZ = envInt('BENCH_HZ', 20);
const SECONDS = envInt('BENCH_SECONDS', 300);
const REPEATS = envInt('BENCH_REPEATS', 5);
const PARTITIONS = 6;

/** Frames in delivery order (all vehicles per tick), with sensor noise and a few dropouts. */
function makeFrames(): { frame: TelemetryFrame; partition: number }[] {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const out: { frame: TelemetryFrame; partition: number }[] = [];
  for (let seq = 0; seq < SECONDS * HZ; seq++) {
    const t = seq / HZ;
    for (let v = 0; v < VEHICLES; v++) {
      const n = rnd();
      out.push({
        partition: v % PARTITIONS,
        frame: {
          v: 1,
          orgId: 'org_bench',
          runId: 'run_bench',
          vehicleId: `veh-${v}`,
          seq,
          t,
          ts: 1_700_000_000_000 + Math.round(t * 1000),
          pose: { x: t * 12, y: v * 4, z: 0, yaw: n * 0.01 },
          gnss: { lat: 48.1 + t * 1e-5, lon: 11.5, alt: 520 },
          speed: 12 + n,
          accel: { lon: n - 0.5, lat: n * 0.2 },
          yawRate: n * 0.02 - 0.01,
          control: { throttle: 0.3 + n * 0.1, brake: 0, steer: n * 0.1 - 0.05 },
          powertrain: {
            rpm: 2100 + n * 50,
            engineTemp: 90 + t * 0.001 + n * 0.05,
            batterySoc: 0.8,
            batteryTemp: n < 0.02 ? null : 30 + n * 0.1,
          },
          brakes: { pressure: 0 },
          tires: { pressure: [230 + n, 231 - n, 229 + n, 232 - n] },
          lane: { offset: n * 0.2 - 0.1 },
          lead: { distance: 40 + n, ttc: n < 0.5 ? null : 8 + n },
        },
      });
    }
  }
  return out;
}

function once(frames: { frame: TelemetryFrame; partition: number }[]): { ms: number; windows: number; late: number } {
  const op = createWindowOperator();
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const pos = { partition: 0, offset: 0 };
  let windows = 0;
  let late = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < frames.length; i++) {
    const d = frames[i]!;
    pos.partition = d.partition;
    pos.offset = offsets[d.partition]!++;
    const out = op.ingest(d.frame, pos, 0);
    windows += out.emitted.length;
    late += out.rejected.length;
  }
  windows += op.flush(0).emitted.length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, windows, late };
}

const frames = makeFrames();
once(frames); // warm-up: lets the JIT settle before timing
const runs = Array.from({ length: REPEATS }, () => once(frames));
const sorted = [...runs].sort((a, b) => a.ms - b.ms);
const median = sorted[Math.floor(sorted.length / 2)]!;
const cpus = os.cpus();

console.log(
  JSON.stringify({
    bench: 'windows',
    vehicles: VEHICLES,
    hz: HZ,
    eventSeconds: SECONDS,
    frames: frames.length,
    repeats: REPEATS,
    framesPerSec: Math.round(frames.length / (median.ms / 1000)),
    bestFramesPerSec: Math.round(frames.length / (sorted[0]!.ms / 1000)),
    medianMs: Math.round(median.ms * 10) / 10,
    windowsEmitted: median.windows,
    lateRejected: median.late,
    config: { tumblingS: 1, slidingS: 10, hopS: 1, partitions: PARTITIONS },
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
  }),
);
