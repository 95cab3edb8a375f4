import { AppError } from '../../errors';
import { z } from 'zod';
import { scoredKpis } from '../../contracts/run-status';
import { runRefusal, scenarioSchema } from '../../contracts/scenario';
import { advanceCampaign } from '../../runs/campaigns';
import { cancelRun, withParams } from '../../runs/commands';
import { expandSweep, sweepDimensionSchema } from '../../runs/sweep';
import { createTRPCRouter, orgProcedure } from '../init';
import { findScenarioVersion } from '../../scenarios/find-version';

const id = z.string().min(1).max(64);

export const campaignCreateInput = z.object({
  name: z.string().trim().min(1, 'Name the campaign').max(200),
  scenarioId: id,
  version: z.number().int().positive().optional(),
  strategy: z.enum(['grid', 'random', 'lhs']),
  dimensions: z.array(sweepDimensionSchema).min(1, 'Sweep at least one parameter').max(8),
  runs: z.number().int().min(1).max(500).default(10),
  maxConcurrent: z.number().int().min(1).max(32).default(2),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1),
});

export const campaignsRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.campaign.findMany({
      where: { orgId: ctx.orgId },
      orderBy: { createdAt: 'desc' },
      include: { scenario: { select: { name: true } }, runs: { select: { state: true } } },
    });
    return rows.map((c) => ({
      id: c.id,
      name: c.name,
      scenarioName: c.scenario.name,
      strategy: c.strategy,
      state: c.state,
      runCount: c.runCount,
      done: c.runs.filter((r) => ['completed', 'failed', 'cancelled'].includes(r.state)).length,
      createdAt: c.createdAt,
    }));
  }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.campaignId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const c = await ctx.db.campaign.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { scenario: { select: { id: true, name: true } }, runs: { orderBy: { createdAt: 'asc' } } },
      });
      if (!c) throw new AppError('NOT_FOUND', 'Campaign not found');
      return {
        id: c.id,
        name: c.name,
        scenario: c.scenario,
        strategy: c.strategy,
        state: c.state,
        maxConcurrent: c.maxConcurrent,
        sweep: z.array(sweepDimensionSchema).parse(c.sweep),
        runs: c.runs.map((r) => ({
          id: r.id,
          state: r.state,
          progress: r.progress,
          params: (r.params ?? {}) as Record<string, number | string | boolean>,
          kpis: scoredKpis(r.state, r.kpis),
          error: r.error,
        })),
      };
    }),

  create: orgProcedure
    .meta({
      minRole: 'engineer',
      sample: (ids) => ({
        name: 'sample',
        scenarioId: ids.scenarioId,
        strategy: 'random',
        dimensions: [{ path: 'traffic.vehicles', min: 1, max: 5, integer: true }],
        runs: 1,
      }),
    })
    .input(campaignCreateInput)
    .mutation(async ({ ctx, input }) => {
      const { scenario, version } = await findScenarioVersion(ctx.db, ctx.orgId, input.scenarioId, input.version);
      let sets;
      try {
        sets = expandSweep(input.strategy, input.dimensions, input.runs, input.seed);
      } catch (err) {
        throw new AppError('BAD_REQUEST', (err as Error).message);
      }
      // Every swept scenario must be valid before anything is queued.
      const base = scenarioSchema.parse(version.spec);
      const refusal = runRefusal(base);
      if (refusal) throw new AppError('PRECONDITION_FAILED', refusal);
      sets.forEach((params, i) => {
        try {
          const why = runRefusal(withParams(base, params));
          if (why) throw new Error(why);
        } catch (err) {
          const detail =
            err instanceof z.ZodError
              ? err.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')
              : (err as Error).message;
          throw new AppError(
            'BAD_REQUEST',
            `Run ${i + 1} (${JSON.stringify(params)}) is not a valid scenario: ${detail}`,
          );
        }
      });
      const campaign = await ctx.db.campaign.create({
        data: {
          orgId: ctx.orgId,
          name: input.name,
          scenarioId: scenario.id,
          scenarioVersionId: version.id,
          strategy: input.strategy,
          sweep: input.dimensions,
          runCount: sets.length,
          maxConcurrent: input.maxConcurrent,
          seed: input.seed,
          createdById: ctx.actor.userId ?? null,
          runs: {
            create: sets.map((params) => ({
              orgId: ctx.orgId,
              scenarioId: scenario.id,
              scenarioVersionId: version.id,
              params: params,
              createdById: ctx.actor.userId ?? null,
            })),
          },
        },
      });
      await advanceCampaign(ctx.db, campaign.id);
      return { id: campaign.id, runs: sets.length };
    }),

  cancel: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.campaignId }) })
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const c = await ctx.db.campaign.findFirst({ where: { id: input.id, orgId: ctx.orgId } });
      if (!c) throw new AppError('NOT_FOUND', 'Campaign not found');
      await ctx.db.campaign.update({ where: { id: c.id }, data: { state: 'cancelled', finishedAt: new Date() } });
      await ctx.db.run.updateMany({
        where: { campaignId: c.id, state: 'queued', dispatchedAt: null },
        data: { state: 'cancelled', finishedAt: new Date() },
      });
      const active = await ctx.db.run.findMany({
        where: { campaignId: c.id, state: { in: ['queued', 'running'] } },
        select: { id: true },
      });
      for (const r of active) await cancelRun(ctx.db, ctx.orgId, r.id);
      return { id: c.id, cancelledActive: active.length };
    }),
});
