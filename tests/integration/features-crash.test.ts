import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '~/server/db';
import { isolatedTopics } from '../helpers/kafka';
import { makeOrg } from '../helpers/tenancy';
import {
  expectedRowCount,
  offlineRows,
  publishRun,
  simulateRun,
  spawnFeaturesWorker,
  testPool,
  waitForOfflineRows,
  type OfflineRow,
} from '../helpers/pipeline';

/**
 * Exactly-once results: the features worker (its own process) is killed with SIGKILL in the middle
 * of a run and a new copy takes over from the committed offsets; the offline rows must be those
 * of the same run processed without interruption.
 */
describe('features worker crash (SIGKILL) and restart', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  const pool = testPool();
  let org: Awaited<ReturnType<typeof makeOrg>>;
  const children: ReturnType<typeof spawnFeaturesWorker>[] = [];
  const start = (groupId: string) => {
    const w = spawnFeaturesWorker({
      KAFKA_TOPIC_PREFIX: t.prefix,
      FEATURES_GROUP_ID: groupId,
      FEATURES_COMMIT_INTERVAL_MS: '200',
      FEATURES_FINISH_GRACE_MS: '2000',
      FEATURES_SESSION_TIMEOUT_MS: '6000',
    });
    children.push(w);
    return w;
  };
  const comparable = (rows: OfflineRow[]) =>
    rows.map((r) => ({ ...r, values: r.values.map((v) => (v === null ? null : Number(v.toPrecision(12)))) }));

  beforeAll(async () => {
    t = await isolatedTopics('features-crash', 2);
    org = await makeOrg('features-crash');
  });
  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await t.cleanup();
    await pool.end();
    await db.$disconnect();
  });

  it('rebuilds exactly the rows of an uninterrupted run', async () => {
    const reference = `run-ref-${randomBytes(4).toString('hex')}`;
    const crashed = `run-crash-${randomBytes(4).toString('hex')}`;
    const refRun = simulateRun(org.org.id, reference, { durationS: 40 });
    const want = expectedRowCount(refRun.frames);

    // The uninterrupted reference, through one worker process.
    const a = start(`features-ref-${randomBytes(3).toString('hex')}`);
    await publishRun(t.kafka, t.prefix, refRun, { chunk: 240, pauseMs: 40 });
    const ref = await waitForOfflineRows(pool, reference, want, 60_000, `${want} reference rows`);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    // The same frames under another run id, with the worker killed mid-run and replaced.
    const group = `features-crash-${randomBytes(3).toString('hex')}`;
    const b = start(group);
    const crashRun = simulateRun(org.org.id, crashed, { durationS: 40 });
    const publishing = publishRun(t.kafka, t.prefix, crashRun, { chunk: 240, pauseMs: 150 });
    // Kill once some windows are committed to Postgres, well before the run ends.
    await waitForOfflineRows(pool, crashed, 40, 30_000, 'first rows before the crash');
    b.child.kill('SIGKILL');
    expect(await b.exited).toBe(null);
    const before = (await offlineRows(pool, crashed)).length;
    expect(before).toBeLessThan(want);
    start(group);
    await publishing;
    await waitForOfflineRows(pool, crashed, want, 90_000, `${want} rows after the restart`);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await offlineRows(pool, crashed);
    expect(after).toHaveLength(want);
    expect(comparable(after)).toEqual(comparable(ref));
  });
});
