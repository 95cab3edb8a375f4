import { AppError } from '../../errors';
import { z } from 'zod';
import { retrainScheduleSchema, trainingJobRequestSchema } from '../../contracts/training';
import { TRAINING_DEFAULTS } from '../../training/defaults';
import { trainingJobDetail } from '../../training/job-detail';
import { cancelTrainingJob, createTrainingJob } from '../../training/jobs';
import { deleteRetrainSchedule, upsertRetrainSchedule } from '../../training/schedules';
import { jobView } from '../../training/views';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);

/** Training jobs (pg-boss + workers/trainer) and cron retraining schedules. */
export const trainingRouter = createTRPCRouter({
  defaults: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(() => TRAINING_DEFAULTS),

  start: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ datasetVersionId: ids.datasetVersionId, kind: 'autoencoder' }) })
    .input(trainingJobRequestSchema)
    .mutation(async ({ ctx, input }) => {
      const job = await createTrainingJob(ctx.db, {
        orgId: ctx.orgId,
        request: input,
        createdById: ctx.actor.userId ?? null,
      });
      return jobView(job);
    }),

  list: orgProcedure
    .meta({ minRole: 'viewer', sample: () => ({}) })
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.trainingJob.findMany({
        where: { orgId: ctx.orgId },
        orderBy: { createdAt: 'desc' },
        take: input.limit,
        include: {
          experiment: { select: { name: true } },
          datasetVersion: { select: { version: true, dataset: { select: { id: true, name: true } } } },
        },
      });
      return rows.map((j) => ({
        ...jobView(j),
        experimentName: j.experiment.name,
        dataset: {
          id: j.datasetVersion.dataset.id,
          name: j.datasetVersion.dataset.name,
          version: j.datasetVersion.version,
        },
      }));
    }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.trainingJobId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const detail = await trainingJobDetail(ctx.db, ctx.orgId, input.id);
      if (!detail) throw new AppError('NOT_FOUND', 'Training job not found');
      return detail;
    }),

  cancel: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.trainingJobId }) })
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const job = await cancelTrainingJob(ctx.db, ctx.orgId, input.id);
      if (!job) throw new AppError('NOT_FOUND', 'Training job not found');
      return jobView(job);
    }),

  schedules: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.retrainSchedule.findMany({ where: { orgId: ctx.orgId }, orderBy: { modelName: 'asc' } });
    return rows.map((s) => ({
      id: s.id,
      modelName: s.modelName,
      cron: s.cron,
      datasetId: s.datasetId,
      kind: s.kind,
      enabled: s.enabled,
      lastRunAt: s.lastRunAt,
      lastJobId: s.lastJobId,
      createdAt: s.createdAt,
    }));
  }),

  setSchedule: orgProcedure
    .meta({
      minRole: 'engineer',
      sample: (ids) => ({
        modelName: 'isolation-probe',
        cron: '0 3 * * *',
        datasetId: ids.datasetId,
        kind: 'autoencoder',
      }),
    })
    .input(retrainScheduleSchema)
    .mutation(async ({ ctx, input }) => {
      const s = await upsertRetrainSchedule(ctx.db, {
        orgId: ctx.orgId,
        schedule: input,
        createdById: ctx.actor.userId ?? null,
      });
      return { id: s.id, modelName: s.modelName, cron: s.cron, enabled: s.enabled };
    }),

  deleteSchedule: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.retrainScheduleId }) })
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteRetrainSchedule(ctx.db, ctx.orgId, input.id)))
        throw new AppError('NOT_FOUND', 'Schedule not found');
      return { ok: true };
    }),
});
