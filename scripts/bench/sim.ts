// Simulator throughput: `npx tsx scripts/bench/sim.ts` (or `npm run bench -- sim`) prints one
// JSON object. Engine only: 20 vehicles (ego + 19 traffic) at 20 Hz on the highway ring, frames
// built but not serialised or published.
import os from 'node:os';
import { scenarioSchema } from '~/server/contracts/scenario';
import { createSimulation } from '~/workers/sim';
import { benchRunSink } from '~/scripts/lib/bench-kafka';
import { RunManager } from '~/workers/sim/run-manager';

const VEHICLES = 20;
const RATE_HZ = 20;
const SIM_SECONDS = Number(process.env.BENCH_SIM_SECONDS ?? 300);

function once(seed: number): { wallS: number; frames: number; simS: number } {
  const sim = createSimulation(
    {
      map: 'highway_ring',
      seed,
      durationS: SIM_SECONDS,
      traffic: { vehicles: VEHICLES - 1, pedestrians: 0 },
      sensors: { rateHz: RATE_HZ },
    },
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

/**
 * The same scenario through the worker's RunManager and Kafka publisher ('max' pacing) into
 * fresh topics of the running broker: serialisation, batching and produce acks included.
 */
async function withKafka(): Promise<
  { realTimeFactor: number; framesPerSecond: number; wallSeconds: number } | { error: string }
> {
  const sink = await benchRunSink('bench-sim', 'bench.sim');
  if ('error' in sink) return sink;
  const manager = new RunManager({ publisher: sink.publisher, maxConcurrent: 1 });
  const scenario = scenarioSchema.parse({
    map: 'highway_ring',
    seed: 5,
    durationS: SIM_SECONDS,
    timeFactor: 'max',
    traffic: { vehicles: VEHICLES - 1, pedestrians: 0 },
    sensors: { rateHz: RATE_HZ },
  });
  const t0 = process.hrtime.bigint();
  manager.handle({ v: 1, type: 'start', runId: 'bench-kafka', orgId: 'bench', scenarioVersionId: 'bench', scenario });
  await sink.done;
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  await sink.close();
  const frames = sink.frames();
  return {
    realTimeFactor: Math.round((SIM_SECONDS / wallS) * 10) / 10,
    framesPerSecond: Math.round(frames / wallS),
    wallSeconds: Math.round(wallS * 1000) / 1000,
  };
}

const kafkaResult = await withKafka();

console.log(
  JSON.stringify({
    bench: 'sim',
    scenario: {
      map: 'highway_ring',
      vehicles: VEHICLES,
      rateHz: RATE_HZ,
      simSecondsPerRun: SIM_SECONDS,
      runs: runs.length,
    },
    engineOnly: {
      realTimeFactor: Math.round((simS / wall) * 10) / 10,
      framesPerSecond: Math.round(frames / wall),
      wallSeconds: Math.round(wall * 1000) / 1000,
      target: 200,
      meetsTarget: simS / wall >= 200,
    },
    withKafka: {
      ...kafkaResult,
      runs: 1,
      note: 'RunManager + kafkaRunPublisher into a fresh 6-partition topic set of the local broker, acks=all',
    },
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
  }),
);
