import type { Prisma, PrismaClient } from '@prisma/client';
import type PgBoss from 'pg-boss';
import type { TrainingJobRequest } from '../contracts/training';
import { trainingConfig } from './config';
import { TRAINING_QUEUE, sharedBoss } from './queue';

export class TrainingInputError extends Error {}

/** Which labels each kind needs from its dataset. */
export function checkKindFitsDataset(kind: TrainingJobRequest['kind'], labelKind: string): string | null {
  if (kind === 'mlp-classifier' && labelKind !== 'binary' && labelKind !== 'multiclass')
    return 'An MLP classifier needs a dataset with class labels (binary or multiclass)';
  if ((kind === 'mlp-regressor' || kind === 'cnn-regressor') && labelKind !== 'regression')
    return `A ${kind} needs a dataset with a numeric target (e.g. RUL)`;
  return null;
}

/**
 * The org's experiment of this name, created on first use (by jobs and retrain schedules alike).
 * An existing one is left as it is: it keeps the creator who started it.
 */
export async function ensureExperiment(db: PrismaClient, orgId: string, name: string, createdById?: string | null) {
  return db.experiment.upsert({
    where: { orgId_name: { orgId, name } },
    create: { orgId, name, createdById: createdById ?? null },
    update: {},
  });
}

/**
 * Records a training job and queues it on pg-boss. The row is written first, so a job the queue
 * accepted always has a row to report into; a failed send marks the row failed.
 */
export async function createTrainingJob(
  db: PrismaClient,
  input: { orgId: string; request: TrainingJobRequest; createdById?: string | null; scheduleId?: string | null },
  boss?: PgBoss,
) {
  const r = input.request;
  const version = await db.datasetVersion.findFirst({
    where: { id: r.datasetVersionId, orgId: input.orgId },
    include: { dataset: { select: { name: true } } },
  });
  if (!version) throw new TrainingInputError('Dataset version not found');
  const mismatch = checkKindFitsDataset(r.kind, version.labelKind);
  if (mismatch) throw new TrainingInputError(mismatch);
  const experimentName = r.experiment ?? version.dataset.name;
  const experiment = await ensureExperiment(db, input.orgId, experimentName, input.createdById);
  const modelName = r.modelName ?? experimentName;
  const clash = await db.registeredModel.findUnique({
    where: { orgId_name: { orgId: input.orgId, name: modelName } },
    select: { kind: true },
  });
  if (clash && clash.kind !== r.kind)
    throw new TrainingInputError(
      `Model "${modelName}" holds ${clash.kind} versions; choose another model name for the ${r.kind}`,
    );
  const job = await db.trainingJob.create({
    data: {
      orgId: input.orgId,
      experimentId: experiment.id,
      datasetVersionId: version.id,
      kind: r.kind,
      modelName,
      params: r.params,
      tags: r.tags,
      maxAttempts: r.maxAttempts,
      scheduleId: input.scheduleId ?? null,
      createdById: input.createdById ?? null,
    },
  });
  try {
    const b = boss ?? (await sharedBoss());
    const config = trainingConfig();
    const bossJobId = await b.send(
      TRAINING_QUEUE,
      { jobId: job.id, orgId: input.orgId },
      {
        retryLimit: r.maxAttempts - 1,
        retryDelay: config.TRAINING_RETRY_DELAY_S,
        // Backstop for a dead trainer's job; the trainers' reaper normally retries it after TRAINING_STALE_S.
        expireInSeconds: config.TRAINING_JOB_EXPIRE_S,
      },
    );
    return db.trainingJob.update({ where: { id: job.id }, data: { bossJobId } });
  } catch (err) {
    await db.trainingJob.update({
      where: { id: job.id },
      data: { state: 'failed', error: `could not queue: ${(err as Error).message}`, finishedAt: new Date() },
    });
    throw err;
  }
}

/**
 * Cancel: a queued job is cancelled at once (and removed from pg-boss); a running one is flagged
 * and its worker stops at the end of the current epoch. Finished jobs are left as they are.
 */
export async function cancelTrainingJob(db: PrismaClient, orgId: string, jobId: string, boss?: PgBoss) {
  const job = await db.trainingJob.findFirst({ where: { id: jobId, orgId } });
  if (!job) return null;
  if (job.state !== 'queued' && job.state !== 'running') return job;
  if (job.state === 'queued') {
    // Only a still-queued row flips to cancelled; a worker that took it meanwhile sees the flag.
    const flipped = await db.trainingJob.updateMany({
      where: { id: job.id, state: 'queued' },
      data: { state: 'cancelled', cancelRequested: true, finishedAt: new Date() },
    });
    if (flipped.count === 1) {
      if (job.bossJobId)
        await (boss ?? (await sharedBoss())).cancel(TRAINING_QUEUE, job.bossJobId).catch(() => undefined);
      return db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    }
  }
  return db.trainingJob.update({ where: { id: job.id }, data: { cancelRequested: true } });
}
