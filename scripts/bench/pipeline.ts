/**
 * Sustained throughput of the features worker against the real broker, Postgres and Redis, and of
 * a bare kafkajs consumer reading the same topic in the same run (the ceiling the worker is
 * measured against). Also the window-close → dl.features acknowledgement latency. Prints one JSON
 * object. The worker runs as main.ts would (decode threads on spare cores) and, for comparison,
 * with parsing on its main thread. CPU µs per frame (whole process), JSON.parse's own cost per
 * frame, and the bare consumer again with only JSON.parse added show what bounds the ratio.
 *
 *   npm run bench -- pipeline        (brings the stack up itself)
 *
 * BENCH_VEHICLES (40), BENCH_SECONDS (250) and BENCH_HZ (20) size the run: 200,000 frames.
 * BENCH_DECODE_THREADS overrides the worker's decode threads.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { SimEvent } from '~/server/contracts/events';
import { env } from '~/server/env';
import { createKafka, createProducer, ensureTopics, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { createRedis } from '~/server/store/redis';
import { spareCores } from '~/workers/features/decode-pool';
import { startFeaturesWorker } from '~/workers/features/features-worker';
import { runScenario } from '~/workers/sim';
import { kafkaRunPublisher } from '~/workers/sim/kafka-publisher';

const VEHICLES = Number(process.env.BENCH_VEHICLES ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 250);
const HZ = Number(process.env.BENCH_HZ ?? 20);
const PARTITIONS = 6;
const DECODE_THREADS: number = process.env.BENCH_DECODE_THREADS
  ? Number(process.env.BENCH_DECODE_THREADS)
  : spareCores();

const tag = randomBytes(3).toString('hex');
const prefix = `bench.pipeline-${tag}.`;
const orgId = `org_bench_${tag}`;
const runId = `run_bench_${tag}`;
const kafka = createKafka({ clientId: 'bench-pipeline' });
await ensureTopics(kafka, { prefix, partitions: PARTITIONS });
const telemetryTopic = topic(TOPICS.telemetry, prefix);

// 1. The run, simulated once and written to dl.telemetry before either reader starts, so both
//    read the same bytes from the broker at full speed. Frames are published as they are made
//    and not kept: 200,000 parsed frames held here would be marked by every full GC of the
//    worker under test.
const spec = {
  name: 'bench',
  map: 'highway_ring',
  durationS: SECONDS,
  seed: 11,
  traffic: { vehicles: VEHICLES - 1 },
  sensors: { rateHz: HZ },
};
const producer = createProducer(kafka);
await producer.connect();
const publisher = kafkaRunPublisher(producer, prefix);
const tProduce = performance.now();
const laterEvents: SimEvent[] = [];
let pending: TelemetryFrame[] = [];
let frameCount = 0;
let bytes = 0;
for (const step of runScenario(spec as never, { orgId, runId, clock: () => 1_700_000_000_000 })) {
  const started = step.events.filter((e) => e.type === 'run_started');
  if (started.length > 0) await publisher.publish({ frames: [], events: started });
  laterEvents.push(...step.events.filter((e) => e.type !== 'run_started'));
  for (const f of step.frames) {
    pending.push(f);
    bytes += JSON.stringify(f).length;
  }
  frameCount += step.frames.length;
  if (pending.length >= 4000) {
    await publisher.publish({ frames: pending, events: [] });
    pending = [];
  }
}
await publisher.publish({ frames: pending, events: laterEvents });
const produceS = (performance.now() - tProduce) / 1000;
await producer.disconnect();

/** 4,000 frames of the same scenario, encoded as on the topic. */
function simulateSample(): Buffer[] {
  const out: Buffer[] = [];
  const small = { ...spec, durationS: Math.ceil(4000 / (VEHICLES * HZ)) };
  for (const step of runScenario(small as never, { orgId, runId, clock: () => 1_700_000_000_000 }))
    for (const f of step.frames) out.push(Buffer.from(JSON.stringify(f)));
  return out;
}

// 2. The bare consumer.
interface Measured {
  seconds: number;
  framesPerS: number;
  /** CPU time of this process (all its threads) per frame, µs: what the throughput costs. */
  cpuUsPerFrame: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * The bare consumer: counts messages, parses nothing. With parse, it also JSON.parses every value
 * and nothing more: the ceiling of any consumer of JSON telemetry on one thread.
 */
async function bareConsumer(parse = false): Promise<Measured> {
  const consumer = kafka.consumer({
    groupId: `bench-bare-${tag}-${parse ? 'parse' : 'count'}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: telemetryTopic, fromBeginning: true });
  let n = 0;
  let parsed = 0;
  let first = 0;
  let last = 0;
  let cpu0 = 0;
  let cpu1 = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (n === 0) {
          first = performance.now();
          cpu0 = cpuNow();
        }
        n += batch.messages.length;
        if (parse)
          for (const m of batch.messages)
            if (m.value) parsed += (JSON.parse(m.value.toString('utf8')) as { seq: number }).seq >= 0 ? 1 : 0;
        last = performance.now();
        cpu1 = cpuNow();
        if (n >= frameCount) resolve();
      },
    });
  });
  await consumer.disconnect();
  if (parse && parsed !== frameCount) throw new Error(`parsed ${parsed} of ${frameCount} frames`);
  const seconds = (last - first) / 1000;
  return { seconds, framesPerS: frameCount / seconds, cpuUsPerFrame: (cpu1 - cpu0) / frameCount };
}

// 3. The features worker, in process, with its real sinks.
async function featuresWorker(decodeThreads: number): Promise<
  Measured & {
    decodeThreads: number;
    windows: number;
    latencyMs: { p50: number; p99: number; max: number; samples: number };
  }
> {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
  const redis = createRedis();
  const latencies: number[] = [];
  const worker = await startFeaturesWorker({
    kafka,
    pool,
    redis,
    prefix,
    groupId: `bench-features-${tag}-${decodeThreads}`,
    finishGraceMs: 1000,
    decodeThreads,
    onProduced: (l) => latencies.push(...l),
  });
  let first = 0;
  let cpu0 = 0;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const s = worker.stats();
    if (s.framesIn > 0 && first === 0) {
      first = performance.now();
      cpu0 = cpuNow();
    }
    if (s.framesIn >= frameCount) break;
    if (Date.now() > deadline)
      throw new Error(`features worker read only ${s.framesIn} of ${frameCount} frames in 300 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const last = performance.now();
  const cpu1 = cpuNow();
  // Let the run's last windows close and reach their sinks before measuring what came out.
  await new Promise((r) => setTimeout(r, 3000));
  const windows = worker.stats().windowsOut;
  await worker.stop();
  await pool.query('DELETE FROM "FeatureWindow" WHERE "runId" = $1', [runId]);
  await pool.end();
  redis.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  const seconds = (last - first) / 1000;
  return {
    seconds,
    framesPerS: frameCount / seconds,
    cpuUsPerFrame: (cpu1 - cpu0) / frameCount,
    decodeThreads,
    windows,
    latencyMs: { p50: q(0.5), p99: q(0.99), max: Math.round(latencies.at(-1) ?? NaN), samples: latencies.length },
  };
}

const bare = await bareConsumer();
const parseOnly = await bareConsumer(true);
const features = await featuresWorker(DECODE_THREADS);
// The same worker parsing on its main thread, for comparison (when the default uses a thread).
const inline = DECODE_THREADS > 0 ? await featuresWorker(0) : null;

// What JSON.parse alone costs per frame here: the floor of any JSON telemetry consumer.
const parseUs = (() => {
  const sample = simulateSample();
  let sink = 0;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (const b of sample) sink += (JSON.parse(b.toString('utf8')) as { seq: number }).seq;
    best = Math.min(best, ((performance.now() - t0) * 1000) / sample.length);
  }
  return sink >= 0 ? best : NaN;
})();

const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) }).catch(() => undefined);
await admin.disconnect();

const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify(
    {
      bench: 'pipeline',
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      run: {
        vehicles: VEHICLES,
        hz: HZ,
        seconds: SECONDS,
        frames: frameCount,
        partitions: PARTITIONS,
        meanFrameBytes: round(bytes / frameCount),
        produceS: round(produceS, 2),
      },
      bareConsumer: {
        framesPerS: round(bare.framesPerS),
        seconds: round(bare.seconds, 2),
        cpuUsPerFrame: round(bare.cpuUsPerFrame, 2),
      },
      featuresWorker: {
        framesPerS: round(features.framesPerS),
        seconds: round(features.seconds, 2),
        cpuUsPerFrame: round(features.cpuUsPerFrame, 2),
        windowsOut: features.windows,
        decodeThreads: features.decodeThreads,
      },
      ...(inline
        ? {
            featuresWorkerNoDecodeThread: {
              framesPerS: round(inline.framesPerS),
              seconds: round(inline.seconds, 2),
              cpuUsPerFrame: round(inline.cpuUsPerFrame, 2),
              windowsOut: inline.windows,
              ratio: round(inline.framesPerS / bare.framesPerS, 3),
            },
          }
        : {}),
      ratio: round(features.framesPerS / bare.framesPerS, 3),
      jsonParseUsPerFrame: round(parseUs, 2),
      bareConsumerParsingOnly: {
        framesPerS: round(parseOnly.framesPerS),
        cpuUsPerFrame: round(parseOnly.cpuUsPerFrame, 2),
        ratio: round(parseOnly.framesPerS / bare.framesPerS, 3),
      },
      windowCloseToFeaturesTopicMs: features.latencyMs,
      targets: {
        framesPerS: 50_000,
        ratio: 0.7,
        met: { framesPerS: features.framesPerS >= 50_000, ratio: features.framesPerS / bare.framesPerS >= 0.7 },
      },
    },
    null,
    2,
  ),
);
process.exit(0);
