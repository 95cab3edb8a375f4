import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { CARLA_BACKEND_UNAVAILABLE } from '~/server/contracts/scenario';
import { db } from '~/server/db';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

/**
 * backend: 'carla' used to be accepted and then played by the built-in simulator. Until a CARLA
 * bridge exists, a run or campaign of such a scenario is refused with a clear message, and no
 * run is queued; the scenario itself stays valid (it is what .xosc exports for CARLA carry).
 */
describe("backend 'carla'", () => {
  let a: OrgFixture;
  let eng: ReturnType<typeof callerFor>;
  beforeAll(async () => {
    a = await makeOrg('carla');
    eng = callerFor(userCaller(a.users.engineer));
  });

  it('is kept on the scenario but refused when run, with nothing queued', async () => {
    const { id } = await eng.scenarios.create({
      org: a.org.slug,
      name: 'For CARLA',
      spec: { backend: 'carla', map: 'urban_grid', durationS: 5 },
    });
    expect((await eng.scenarios.get({ org: a.org.slug, id })).spec.backend).toBe('carla');
    const err = await eng.runs.start({ org: a.org.slug, scenarioId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('PRECONDITION_FAILED');
    expect((err as TRPCError).message).toBe(CARLA_BACKEND_UNAVAILABLE);
    expect(await db.run.count({ where: { scenarioId: id } })).toBe(0);
  });

  type CampaignInput = Parameters<typeof eng.campaigns.create>[0];
  // A campaign of two runs, one at a time: enough to reach the backend check of every run.
  const twoRunCampaign = (
    scenarioId: string,
    name: string,
    strategy: CampaignInput['strategy'],
    dimensions: CampaignInput['dimensions'],
  ) => eng.campaigns.create({ org: a.org.slug, name, scenarioId, strategy, runs: 2, maxConcurrent: 1, dimensions });

  it('is refused for campaigns, including one that sweeps the backend', async () => {
    const carla = await eng.scenarios.create({ org: a.org.slug, name: 'c', spec: { backend: 'carla' } });
    await expect(
      twoRunCampaign(carla.id, 'sweep', 'lhs', [{ path: 'traffic.vehicles', min: 1, max: 3, integer: true }]),
    ).rejects.toThrow(/no CARLA bridge/);
    const builtin = await eng.scenarios.create({ org: a.org.slug, name: 'b', spec: { backend: 'builtin' } });
    await expect(
      twoRunCampaign(builtin.id, 'sweep backend', 'grid', [{ path: 'backend', values: ['builtin', 'carla'] }]),
    ).rejects.toThrow(/Run 2 .*no CARLA bridge/);
    expect(await db.run.count({ where: { scenarioId: { in: [carla.id, builtin.id] } } })).toBe(0);
  });
});
