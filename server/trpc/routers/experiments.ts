import type { ExperimentRun } from '@prisma/client';
import { AppError } from '../../errors';
import { z } from 'zod';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);

function runView(r: ExperimentRun) {
  return {
    id: r.id,
    experimentId: r.experimentId,
    jobId: r.jobId,
    name: r.name,
    kind: r.kind,
    state: r.state,
    params: r.params as Record<string, unknown>,
    tags: r.tags,
    backend: r.backend,
    datasetVersionId: r.datasetVersionId,
    datasetFingerprint: r.datasetFingerprint,
    metrics: (r.metrics as Record<string, number | null> | null) ?? null,
    artifacts: (r.artifacts as Record<string, string> | null) ?? null,
    modelVersionId: r.modelVersionId,
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
  };
}

/** Experiment tracking: experiments, their runs, per-epoch curves, and a compare view. */
export const experimentsRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.experiment.findMany({
      where: { orgId: ctx.orgId },
      orderBy: { updatedAt: 'desc' },
      take: 200,
      include: {
        _count: { select: { runs: true } },
        runs: { orderBy: { startedAt: 'desc' }, take: 1, select: { startedAt: true, state: true, kind: true } },
      },
    });
    return rows.map((e) => ({
      id: e.id,
      name: e.name,
      description: e.description,
      runCount: e._count.runs,
      lastRun: e.runs[0] ?? null,
      createdAt: e.createdAt,
    }));
  }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.experimentId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const e = await ctx.db.experiment.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { runs: { orderBy: { startedAt: 'desc' }, take: 200 } },
      });
      if (!e) throw new AppError('NOT_FOUND', 'Experiment not found');
      return { id: e.id, name: e.name, description: e.description, createdAt: e.createdAt, runs: e.runs.map(runView) };
    }),

  run: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.experimentRunId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const r = await ctx.db.experimentRun.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { epochs: { orderBy: { epoch: 'asc' } }, experiment: { select: { name: true } } },
      });
      if (!r) throw new AppError('NOT_FOUND', 'Run not found');
      return {
        ...runView(r),
        experimentName: r.experiment.name,
        epochs: r.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, elapsedMs: e.elapsedMs })),
      };
    }),

  /** Selected runs side by side: parameters, final metrics and their curves. Unknown ids are left out. */
  compare: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ runIds: [ids.experimentRunId] }) })
    .input(z.object({ runIds: z.array(id).min(1).max(12) }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.experimentRun.findMany({
        where: { id: { in: input.runIds }, orgId: ctx.orgId },
        include: { epochs: { orderBy: { epoch: 'asc' } } },
      });
      return rows.map((r) => ({
        ...runView(r),
        epochs: r.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss })),
      }));
    }),

  setTags: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.experimentRunId, tags: ['probe'] }) })
    .input(z.object({ id, tags: z.array(z.string().trim().min(1).max(40)).max(20) }))
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.db.experimentRun.updateMany({
        where: { id: input.id, orgId: ctx.orgId },
        data: { tags: [...new Set(input.tags)] },
      });
      if (updated.count === 0) throw new AppError('NOT_FOUND', 'Run not found');
      return { ok: true };
    }),
});
