import type { PrismaClient } from '@prisma/client';
import type PgBoss from 'pg-boss';
import { MODEL_TYPE_KINDS, type TrainingJobApiRequest, type TrainingJobRequest } from '../contracts/training';
import { trainingConfig } from './config';
import { TRAINING_QUEUE, sharedBoss } from './queue';
import { AppError } from '../errors';

/** Which labels each kind needs from its dataset. */
export function checkKindFitsDataset(kind: TrainingJobRequest['kind'], labelKind: string): string | null {
  if (kind === 'mlp-classifier' && labelKind !== 'binary' && labelKind !== 'multiclass')
    return 'An MLP classifier needs a dataset with class labels (binary or multiclass)';
  if ((kind === 'mlp-regressor' || kind === 'cnn-regressor') && labelKind !== 'regression')
    return `A ${kind} needs a dataset with a numeric target (e.g. RUL)`;
  return null;
}

/**
 * The REST body in DriveLab's terms: `model_type` becomes its kind, `dataset` (a name) its latest
 * version, `config` the params. A kind that does not fit the dataset says which model_type chose it.
 */
export async function resolveApiTrainingRequest(
  db: PrismaClient,
  orgId: string,
  body: TrainingJobApiRequest,
): Promise<TrainingJobRequest> {
  const kind = body.kind ?? MODEL_TYPE_KINDS[body.model_type!];
  let datasetVersionId = body.datasetVersionId;
  let labelKind: string | null = null;
  if (body.dataset !== undefined) {
    const latest = await db.datasetVersion.findFirst({
      where: { orgId, dataset: { orgId, name: body.dataset } },
      orderBy: { version: 'desc' },
      select: { id: true, labelKind: true },
    });
    if (!latest) throw new AppError('NOT_FOUND', `Dataset "${body.dataset}" not found`);
    datasetVersionId = latest.id;
    labelKind = latest.labelKind;
  }
  if (body.model_type && labelKind) {
    const mismatch = checkKindFitsDataset(kind, labelKind);
    if (mismatch)
      throw new AppError(
        'BAD_REQUEST',
        `${mismatch}; model_type "${body.model_type}" trains a ${kind} and dataset "${body.dataset}" has ${labelKind} labels`,
      );
  }
  return {
    datasetVersionId: datasetVersionId!,
    kind,
    experiment: body.experiment,
    modelName: body.modelName,
    params: body.config ?? body.params ?? {},
    tags: body.tags,
    maxAttempts: body.maxAttempts,
  };
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
  if (!version) throw new AppError('NOT_FOUND', 'Dataset version not found');
  const mismatch = checkKindFitsDataset(r.kind, version.labelKind);
  if (mismatch) throw new AppError('BAD_REQUEST', mismatch);
  const experimentName = r.experiment ?? version.dataset.name;
  const experiment = await ensureExperiment(db, input.orgId, experimentName, input.createdById);
  const modelName = r.modelName ?? experimentName;
  const clash = await db.registeredModel.findUnique({
    where: { orgId_name: { orgId: input.orgId, name: modelName } },
    select: { kind: true },
  });
  if (clash && clash.kind !== r.kind)
    throw new AppError(
      'BAD_REQUEST',
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
    return await db.trainingJob.update({ where: { id: job.id }, data: { bossJobId } });
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
