import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '~/server/store/redis';
import { onlineIndexKey, readOnlineFeatures } from '~/server/store/online-features';
import { TOPICS } from '~/server/kafka/topics';
import { createProducer } from '~/server/kafka/client';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import { featuresMessageSchema } from '~/server/contracts/features';
import { telemetryKey } from '~/server/contracts/telemetry';
import { kafkaToolsClasspath } from '~/scripts/lib/stack';
import { startFeaturesWorker, type FeaturesWorker } from '~/workers/features/features-worker';
import { collect, isolatedTopics } from '../helpers/kafka';
import { makeOrg } from '../helpers/tenancy';
import {
  expectedRowCount,
  offlineRows,
  publishRun,
  simulateRun,
  testPool,
  tumblingFrameCount,
  waitForOfflineRows,
} from '../helpers/pipeline';
import { db } from '~/server/db';
import { env } from '~/server/env';
import { metrics } from '~/server/observability/metrics';

/**
 * Simulated runs (6 vehicles × 20 Hz × 30 s) through the real Kafka, Postgres and Redis, with the
 * worker in process and dl.telemetry on two partitions (a run's vehicles are spread over both).
 */
describe('features worker: simulated run → offline, online and dl.features', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  let worker: FeaturesWorker;
  const pool = testPool();
  const redis = createRedis();
  let org: Awaited<ReturnType<typeof makeOrg>>;
  const newRunId = () => `run-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    t = await isolatedTopics('features', 2);
    org = await makeOrg('features');
    worker = await startFeaturesWorker({
      kafka: t.kafka,
      pool,
      redis,
      prefix: t.prefix,
      groupId: `features-${randomBytes(4).toString('hex')}`,
      commitIntervalMs: 300,
      finishGraceMs: 3000,
      decodeThreads: 1,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await t.cleanup();
    redis.disconnect();
    await pool.end();
    await db.$disconnect();
  });

  it('produces exactly the expected offline rows, the same windows on dl.features, and the latest in Redis', async () => {
    const runId = newRunId();
    const run = simulateRun(org.org.id, runId);
    const want = expectedRowCount(run.frames);
    expect(run.frames.length).toBe(6 * 20 * 30);
    expect(want).toBe(6 * (30 + 39));
    await publishRun(t.kafka, t.prefix, run);
    const rows = await waitForOfflineRows(pool, runId, want, 40_000, `${want} offline rows`);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await offlineRows(pool, runId)).length).toBe(want);
    expect(tumblingFrameCount(rows)).toBe(run.frames.length);

    const features = await collect(
      t.kafka,
      t.name(TOPICS.features),
      (v) => featuresMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.filter((f) => f.runId === runId).length >= want,
      20_000,
    );
    expect(
      new Set(features.filter((f) => f.runId === runId).map((f) => `${f.vehicleId}|${f.windowStart}|${f.windowSize}`))
        .size,
    ).toBe(want);

    const latest = await readOnlineFeatures(redis, org.org.id, runId, 'ego');
    expect(latest?.windowStart).toBe(29);
    expect(await redis.ttl(`fs:${org.org.id}:${runId}:ego`)).toBeGreaterThan(0);
    expect(await redis.zcard(onlineIndexKey(org.org.id))).toBeGreaterThanOrEqual(6);
    expect(worker.stats().commits).toBeGreaterThan(0);
    // This worker parses on its one decode thread, and says so.
    expect((await metrics.registry.getSingleMetric('drivelab_features_decode_threads')?.get())?.values[0]?.value).toBe(
      1,
    );
  });

  it("refuses frames that claim another org's run (DLQ reason 'tenant') and writes nothing for them", async () => {
    const runId = newRunId();
    await publishRun(t.kafka, t.prefix, {
      frames: simulateRun(org.org.id, runId, { vehicles: 1, durationS: 2 }).frames,
      events: [],
    });
    await waitForOfflineRows(pool, runId, 1, 20_000, 'the rightful org rows');
    const before = (await offlineRows(pool, runId)).length;
    const other = await makeOrg('features-other');
    const stolen = simulateRun(other.org.id, runId, { vehicles: 1, durationS: 2, seed: 9 });
    await publishRun(t.kafka, t.prefix, { frames: stolen.frames, events: [] });
    const dlq = await collect(
      t.kafka,
      t.name(TOPICS.dlq),
      (v) => dlqMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.filter((m) => m.reason === 'tenant').length >= stolen.frames.length,
      20_000,
    );
    expect(dlq.filter((m) => m.reason === 'tenant')).toHaveLength(stolen.frames.length);
    expect((await offlineRows(pool, runId)).length).toBe(before);
  });

  it('sends 1,000 malformed messages to dl.dlq with their reason while valid frames keep flowing', async () => {
    const runId = newRunId();
    const run = simulateRun(org.org.id, runId, { vehicles: 3, durationS: 20 });
    const want = expectedRowCount(run.frames);
    const good = run.frames[0]!;
    const malformed: { key: string; value: string }[] = [];
    for (let i = 0; i < 1000; i++) {
      const kind = i % 4;
      const value =
        kind === 0
          ? `{"not json ${i}` // parse
          : kind === 1
            ? JSON.stringify({ ...good, speed: 'fast', seq: i }) // wrong type
            : kind === 2
              ? JSON.stringify({ ...good, orgId: undefined, seq: i }) // missing field
              : JSON.stringify({ ...good, t: -5, v: 2, seq: i }); // unknown version
      malformed.push({ key: `${runId}:bad${i % 7}`, value });
    }
    const producer = createProducer(t.kafka);
    await producer.connect();
    const half = Math.floor(run.frames.length / 2);
    const events = (started: boolean) =>
      producer.send({
        topic: t.name(TOPICS.events),
        messages: run.events
          .filter((e) => (e.type === 'run_started') === started)
          .map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
      });
    await events(true);
    const send = (frames: typeof run.frames) =>
      producer.send({
        topic: t.name(TOPICS.telemetry),
        messages: frames.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) })),
      });
    await send(run.frames.slice(0, half));
    await producer.send({ topic: t.name(TOPICS.telemetry), messages: malformed });
    await send(run.frames.slice(half));
    await events(false);
    await producer.disconnect();

    const dlq = await collect(
      t.kafka,
      t.name(TOPICS.dlq),
      (v) => dlqMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.filter((m) => m.reason === 'parse' || m.reason === 'validation').length >= 1000,
      30_000,
    );
    const bad = dlq.filter((m) => m.reason === 'parse' || m.reason === 'validation');
    expect(bad).toHaveLength(1000);
    expect(bad.filter((m) => m.reason === 'parse')).toHaveLength(250);
    // Nothing is lost: every rejected message travels with its original bytes.
    expect(new Set(bad.map((m) => Buffer.from(m.valueBase64!, 'base64').toString('utf8')))).toEqual(
      new Set(malformed.map((m) => m.value)),
    );
    expect(bad.every((m) => m.sourceTopic === t.name(TOPICS.telemetry) && m.error.length > 0)).toBe(true);

    const rows = await waitForOfflineRows(pool, runId, want, 30_000, `${want} offline rows`);
    expect(tumblingFrameCount(rows)).toBe(run.frames.length);
    expect(worker.stats().invalid).toBeGreaterThanOrEqual(1000);
  });

  it("processes frames written by Kafka's own console producer like any other", async () => {
    const runId = newRunId();
    const run = simulateRun(org.org.id, runId, { vehicles: 2, durationS: 10 });
    const want = expectedRowCount(run.frames);
    const lines = run.frames.map((f) => `${telemetryKey(f)}\t${JSON.stringify(f)}`).join('\n') + '\n';
    const cp = await kafkaToolsClasspath();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        'java',
        [
          '-Xmx256m',
          '-cp',
          cp,
          'kafka.tools.ConsoleProducer',
          '--bootstrap-server',
          env.KAFKA_BROKERS.join(','),
          '--topic',
          t.name(TOPICS.telemetry),
          '--property',
          'parse.key=true',
          '--property',
          'key.separator=\t',
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (c) =>
        c === 0 ? resolve(c) : reject(new Error(`console producer exited ${c}: ${err.slice(-500)}`)),
      );
      child.stdin.end(lines);
    });
    expect(code).toBe(0);
    // The run's end (which closes its last windows) comes from the simulator as usual.
    await publishRun(t.kafka, t.prefix, { frames: [], events: run.events });
    const rows = await waitForOfflineRows(pool, runId, want, 40_000, `${want} offline rows`);
    await new Promise((r) => setTimeout(r, 500));
    expect((await offlineRows(pool, runId)).length).toBe(want);
    expect(tumblingFrameCount(rows)).toBe(run.frames.length);
  });
});
