import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_SET } from '~/server/contracts/features';
import { db } from '~/server/db';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

const values = (v: number) => FEATURE_SET.names.map((_, i) => (i === 0 ? v : null)) as unknown as number[];

describe('offline feature store reads', () => {
  let a: OrgFixture;
  beforeAll(async () => {
    a = await makeOrg('fs');
    // Tumbling 1 s windows [0,1) … [9,10) of the ego; the first feature holds the window index.
    const insert = (start: number, size: number, kind: string, v: number) =>
      db.$executeRaw`INSERT INTO "FeatureWindow" ("orgId","runId","vehicleId","windowStart","windowEnd","windowSize",kind,"featureSetVersion","values","frameCount")
        VALUES (${a.org.id}, ${a.ids.runId}, 'ego', ${start}, ${start + size}, ${size}, ${kind}, ${FEATURE_SET.version}, ${values(v)}::double precision[], ${size * 20})`;
    for (let i = 0; i < 10; i++) await insert(i, 1, 'tumbling', i);
    await insert(0, 10, 'sliding', 99);
  });

  it('asOf returns the newest window closed by t — never one still open at t — within the TTL', async () => {
    const viewer = callerFor(userCaller(a.users.viewer));
    const at = async (t: number, ttlS?: number) => (await viewer.features.asOf({ org: a.org.slug, runId: a.ids.runId, vehicleId: 'ego', t, ...(ttlS ? { ttlS } : {}) })).row;
    expect((await at(5.5))?.windowStart).toBe(4);
    expect((await at(5))?.windowStart).toBe(4);
    expect((await at(5.0001))?.windowStart).toBe(4);
    expect(await at(0.5)).toBeNull();
    // Long after the last window, beyond the TTL, the store knows nothing current.
    expect(await at(100)).toBeNull();
    expect((await at(100, 95))?.windowStart).toBe(9);
    const row = await at(3.2);
    expect(row?.values[0]).toBe(2);
    expect(row?.values[1]).toBeNull();
  });

  it('dataset returns a run’s windows in order, filtered by kind and event-time range', async () => {
    const viewer = callerFor(userCaller(a.users.viewer));
    const all = await viewer.features.dataset({ org: a.org.slug, runIds: [a.ids.runId] });
    expect(all.names).toEqual(FEATURE_SET.names);
    expect(all.rows.map((r) => r.windowStart)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const part = await viewer.features.dataset({ org: a.org.slug, runIds: [a.ids.runId], from: 3, to: 6 });
    expect(part.rows.map((r) => r.windowStart)).toEqual([3, 4, 5]);
    const sliding = await viewer.features.dataset({ org: a.org.slug, runIds: [a.ids.runId], kind: 'sliding' });
    expect(sliding.rows).toHaveLength(1);
    expect(sliding.rows[0]!.values[0]).toBe(99);
    const limited = await viewer.features.dataset({ org: a.org.slug, runIds: [a.ids.runId], limit: 4 });
    expect(limited).toMatchObject({ truncated: true });
    expect(limited.rows).toHaveLength(4);
  });
});
