import type { Prisma, PrismaClient } from '@prisma/client';
import type PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { retrainScheduleSchema } from '../contracts/training';
import { checkKindFitsDataset, createTrainingJob, ensureExperiment } from './jobs';
import { ensureQueue, retrainQueue, sharedBoss } from './queue';
import { rebuildDataset } from './datasets';
import { AppError } from '../errors';

/**
 * Scheduled retraining. Each RetrainSchedule row owns a pg-boss queue and cron schedule of its own
 * (pg-boss 10 keeps one schedule per queue name); the trainer's cron monitor fires it and the
 * trainer handles it with runScheduledRetrain.
 */
export async function upsertRetrainSchedule(
  db: PrismaClient,
  input: { orgId: string; schedule: z.infer<typeof retrainScheduleSchema>; createdById?: string | null },
  boss?: PgBoss,
) {
  const s = input.schedule;
  const dataset = await db.dataset.findFirst({
    where: { id: s.datasetId, orgId: input.orgId },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  if (!dataset || !dataset.versions[0]) throw new AppError('NOT_FOUND', 'Dataset not found');
  const mismatch = checkKindFitsDataset(s.kind, dataset.versions[0].labelKind);
  if (mismatch) throw new AppError('BAD_REQUEST', mismatch);
  const experimentName = s.experiment ?? s.modelName;
  const experiment = await ensureExperiment(db, input.orgId, experimentName, input.createdById);
  const before = await db.retrainSchedule.findUnique({
    where: { orgId_modelName: { orgId: input.orgId, modelName: s.modelName } },
  });
  const row = await db.retrainSchedule.upsert({
    where: { orgId_modelName: { orgId: input.orgId, modelName: s.modelName } },
    create: {
      orgId: input.orgId,
      modelName: s.modelName,
      cron: s.cron,
      datasetId: dataset.id,
      experimentId: experiment.id,
      kind: s.kind,
      params: s.params,
      createdById: input.createdById ?? null,
    },
    update: {
      cron: s.cron,
      datasetId: dataset.id,
      experimentId: experiment.id,
      kind: s.kind,
      params: s.params,
      enabled: true,
    },
  });
  const b = boss ?? (await sharedBoss());
  const queue = retrainQueue(row.id);
  await ensureQueue(b, queue, { retryLimit: 0 });
  try {
    await b.schedule(queue, s.cron, { scheduleId: row.id, orgId: input.orgId }, { tz: 'UTC' });
  } catch (err) {
    // pg-boss parses the cron: on refusal the row goes back to what it was.
    if (before)
      await db.retrainSchedule.update({
        where: { id: before.id },
        data: {
          cron: before.cron,
          datasetId: before.datasetId,
          experimentId: before.experimentId,
          kind: before.kind,
          params: before.params as Prisma.InputJsonValue,
          enabled: before.enabled,
        },
      });
    else await db.retrainSchedule.delete({ where: { id: row.id } });
    throw new AppError('BAD_REQUEST', `Invalid cron expression: ${(err as Error).message}`);
  }
  return row;
}

export async function deleteRetrainSchedule(
  db: PrismaClient,
  orgId: string,
  id: string,
  boss?: PgBoss,
): Promise<boolean> {
  const row = await db.retrainSchedule.findFirst({ where: { id, orgId } });
  if (!row) return false;
  const b = boss ?? (await sharedBoss());
  await b.unschedule(retrainQueue(row.id)).catch(() => undefined);
  await db.retrainSchedule.delete({ where: { id: row.id } });
  return true;
}

/** A schedule fired: a new dataset version from the newest data, then a training job. */
export async function runScheduledRetrain(db: PrismaClient, scheduleId: string, boss: PgBoss) {
  const s = await db.retrainSchedule.findUnique({ where: { id: scheduleId } });
  if (!s || !s.enabled) return null;
  const experiment = await db.experiment.findUnique({ where: { id: s.experimentId }, select: { name: true } });
  const version = await rebuildDataset(db, s.orgId, s.datasetId);
  const job = await createTrainingJob(
    db,
    {
      orgId: s.orgId,
      request: {
        datasetVersionId: version.id,
        kind: s.kind as never,
        experiment: experiment?.name ?? s.modelName,
        modelName: s.modelName,
        params: s.params as never,
        tags: ['scheduled'],
        maxAttempts: 2,
      },
      scheduleId: s.id,
    },
    boss,
  );
  await db.retrainSchedule.update({ where: { id: s.id }, data: { lastRunAt: new Date(), lastJobId: job.id } });
  return job;
}
