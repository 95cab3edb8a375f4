import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import { db } from '~/server/db';
import { createRedis } from '~/server/store/redis';
import { createWindowOperator } from '~/workers/features';
import { startFeaturesWorker, type FeaturesWorker } from '~/workers/features/features-worker';
import { isolatedTopics } from '../helpers/kafka';
import { makeOrg } from '../helpers/tenancy';
import {
  expectedRowCount,
  offlineRows,
  publishRun,
  simulateRun,
  testPool,
  tumblingFrameCount,
  waitFor,
  waitForOfflineRows,
} from '../helpers/pipeline';

/**
 * Scaling out while a run streams: a second copy of the features worker joins the group (its
 * partitions move over, with batches still queued on the first copy) and later leaves (they move
 * back). Every window must come out once, with the values of an undisturbed computation, and
 * neither copy may give up.
 */
describe('features worker copies joining and leaving the group mid-run', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  let org: Awaited<ReturnType<typeof makeOrg>>;
  const pool = testPool();
  const redis = createRedis();
  const workers: FeaturesWorker[] = [];

  beforeAll(async () => {
    t = await isolatedTopics('features-rebalance', 4);
    org = await makeOrg('features-rebalance');
  });
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await t.cleanup();
    await pool.end();
    redis.disconnect();
    await db.$disconnect();
  });

  it('keeps every window exactly once, with undisturbed values, across two rebalances', async () => {
    const runId = `run-rebalance-${randomBytes(4).toString('hex')}`;
    const run = simulateRun(org.org.id, runId, { vehicles: 8, durationS: 40 });
    const want = expectedRowCount(run.frames);
    const groupId = `features-rebalance-${randomBytes(3).toString('hex')}`;
    const start = async () => {
      const w = await startFeaturesWorker({
        kafka: t.kafka,
        pool,
        redis,
        prefix: t.prefix,
        groupId,
        commitIntervalMs: 200,
        finishGraceMs: 2000,
        sessionTimeoutMs: 6000,
        decodeThreads: 1,
      });
      workers.push(w);
      return w;
    };

    const a = await start();
    const publishing = publishRun(t.kafka, t.prefix, run, { chunk: 240, pauseMs: 400 });
    await waitForOfflineRows(pool, runId, 40, 30_000, 'first rows from the first copy');
    const b = await start();
    await waitFor(
      async () => b.stats().framesIn,
      (n) => n > 500,
      30_000,
      'the second copy taking partitions over',
    );
    await b.stop();
    await publishing;
    const rows = await waitForOfflineRows(pool, runId, want, 90_000, `${want} rows`);
    await new Promise((r) => setTimeout(r, 1500));

    expect(await offlineRows(pool, runId)).toHaveLength(want);
    // Each frame in exactly one tumbling window: none lost, none counted twice.
    expect(tumblingFrameCount(rows)).toBe(run.frames.length);
    expect(a.ready()).toBe(true);
    expect(a.stats().framesIn + b.stats().framesIn).toBeGreaterThanOrEqual(run.frames.length);

    // The same frames through the window operator alone, in order, with nothing moving.
    const op = createWindowOperator();
    const reference = new Map<string, FeaturesMessage>();
    const keep = (ms: readonly FeaturesMessage[]) =>
      ms.forEach((m) => reference.set(`${m.vehicleId}|${m.windowSize}|${m.windowStart}`, m));
    run.frames.forEach((f, i) => keep(op.ingest(f, { partition: 0, offset: i }, 0).emitted));
    keep(op.flush(0).emitted);
    const round = (vs: (number | null)[]) => vs.map((v) => (v === null ? null : Number(v.toPrecision(12))));
    expect(reference.size).toBe(want);
    for (const r of rows) {
      const m = reference.get(`${r.vehicleId}|${r.windowSize}|${r.windowStart}`);
      expect(m, `${r.vehicleId} ${r.windowSize} s window at ${r.windowStart}`).toBeDefined();
      expect(round(r.values)).toEqual(round(m!.values));
    }
  }, 180_000);
});
