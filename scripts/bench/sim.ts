// Simulator throughput: `npx tsx scripts/bench/sim.ts` (or `npm run bench -- sim`) prints one
// JSON object. Engine only: 20 vehicles (ego + 19 traffic) at 20 Hz on the highway ring, frames
// built but not serialised or published.
import os from 'node:os';
import { createSimulation } from '~/workers/sim';

const VEHICLES = 20;
const RATE_HZ = 20;
const SIM_SECONDS = Number(process.env.BENCH_SIM_SECONDS ?? 300);

function once(seed: number): { wallS: number; frames: number; simS: number } {
  const sim = createSimulation(
    { map: 'highway_ring', seed, durationS: SIM_SECONDS, traffic: { vehicles: VEHICLES - 1, pedestrians: 0 }, sensors: { rateHz: RATE_HZ } },
    { orgId: 'bench', runId: `bench-${seed}` },
  );
  let frames = 0;
  const t0 = process.hrtime.bigint();
  while (!sim.done) frames += sim.step().frames.length;
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { wallS, frames, simS: SIM_SECONDS };
}

// Warm-up lets the JIT settle so the figure is the steady state a worker sees.
once(99);
const runs = [1, 2, 3].map(once);
const wall = runs.reduce((a, r) => a + r.wallS, 0);
const frames = runs.reduce((a, r) => a + r.frames, 0);
const simS = runs.reduce((a, r) => a + r.simS, 0);

console.log(
  JSON.stringify({
    bench: 'sim',
    scenario: { map: 'highway_ring', vehicles: VEHICLES, rateHz: RATE_HZ, simSecondsPerRun: SIM_SECONDS, runs: runs.length },
    engineOnly: {
      realTimeFactor: Math.round((simS / wall) * 10) / 10,
      framesPerSecond: Math.round(frames / wall),
      wallSeconds: Math.round(wall * 1000) / 1000,
      target: 200,
      meetsTarget: simS / wall >= 200,
    },
    withKafka: null,
    withKafkaReason: 'not measured here: Kafka publishing is added by the sim worker (workers/sim/main.ts), not by the pure engine',
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  }),
);
