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
    const at = async (t: number, ttlS?: number) =>
      (
        await viewer.features.asOf({
          org: a.org.slug,
          runId: a.ids.runId,
          vehicleId: 'ego',
          t,
          ...(ttlS ? { ttlS } : {}),
        })
      ).row;
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

describe('online feature store in the fleet overview', () => {
  it("lists each vehicle's latest window from Redis for its own org only", async () => {
    const { redis } = await import('~/server/store/redis');
    const { writeOnlineFeatures } = await import('~/server/store/online-features');
    const a = await makeOrg('fleet-a');
    const b = await makeOrg('fleet-b');
    const msg = (orgId: string, runId: string, vehicleId: string, end: number, speed: number) => ({
      v: 1 as const,
      orgId,
      runId,
      vehicleId,
      windowStart: end - 1,
      windowEnd: end,
      windowSize: 1,
      kind: 'tumbling' as const,
      featureSetVersion: FEATURE_SET.version,
      names: [...FEATURE_SET.names],
      values: FEATURE_SET.names.map((n) => (n === 'speed_mean' ? speed : n === 'stuck_sensor' ? 0 : null)),
      frameCount: 20,
      emittedAt: Date.now() + end,
      revision: 0,
    });
    await writeOnlineFeatures(
      redis(),
      [
        msg(a.org.id, a.ids.runId, 'ego', 4, 11),
        msg(a.org.id, a.ids.runId, 'ego', 5, 12.5),
        msg(a.org.id, a.ids.runId, 'npc-1', 5, 9),
        msg(b.org.id, b.ids.runId, 'ego', 5, 30),
      ],
      60,
    );
    const seen = await callerFor(userCaller(a.users.viewer)).fleet.vehicles({ org: a.org.slug });
    expect(seen.map((v) => [v.runId, v.vehicleId])).toEqual([
      [a.ids.runId, 'ego'],
      [a.ids.runId, 'npc-1'],
    ]);
    const ego = seen.find((v) => v.vehicleId === 'ego')!;
    expect(ego.windowEnd).toBe(5);
    expect(ego.features.speed_mean).toBe(12.5);
    expect(ego.features.engine_temp_mean).toBeNull();
    expect(ego.features.stuck_sensor).toBe(0);
    const other = await callerFor(userCaller(b.users.viewer)).fleet.vehicles({ org: b.org.slug });
    expect(other.map((v) => v.features.speed_mean)).toEqual([30]);
  });
});
