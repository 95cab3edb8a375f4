import { Prisma, type PrismaClient } from '@prisma/client';
import { trainingParamsSchema, type TrainingProgress } from '~/server/contracts/training';
import { gatePromoteRetrained } from '~/server/drift/promote';
import { getObject, putJson, putObject, registerModelVersion } from '~/server/models/registry';
import type { ObjectStore } from '~/server/store/object-store';
import { decodeDataset } from '~/server/training/materialised';
import { serialiseTfjs } from './artifacts';
import type { BackendChoice } from './backend';
import type { ModelKind } from './models/types';
import { exportOnnx } from './onnx/export';
import { trainKind } from './train-kind';
import type { EpochReport } from './training';

/**
 * Runs one training job end to end: claim the row, read the dataset version, train with live
 * progress and cancellation, evaluate, export ONNX + tfjs, record the experiment run and register
 * the model version. Queue mechanics (retries, acknowledgement) stay in main.ts.
 */
export interface JobDeps {
  db: PrismaClient;
  store: ObjectStore;
  backend: BackendChoice;
  workerId: string;
  publish: (p: TrainingProgress) => Promise<void>;
  /** Aborted when the worker is stopping: training stops and the job is retried elsewhere. */
  stopping: AbortSignal;
  /**
   * How often the job's heartbeatAt is written besides every epoch, so a slow epoch never looks
   * like a dead trainer to the reaper (see reaper.ts: heartbeatEveryMs).
   */
  heartbeatMs: number;
}

export class WorkerStoppingError extends Error {}

/**
 * The row is no longer this trainer's: its heartbeat went stale (paused process, Postgres out of
 * reach), another trainer reaped the job and queued it again. Training stops; nothing is written.
 */
export class JobLostError extends Error {}

interface Heartbeat {
  /** Aborted when a beat finds the row taken from this trainer. */
  readonly signal: AbortSignal;
  readonly lost: boolean;
  markLost(): void;
  stop(): void;
}

/** Writes heartbeatAt every `everyMs` while the row is still this trainer's running job. */
function startHeartbeat(db: PrismaClient, jobId: string, workerId: string, everyMs: number): Heartbeat {
  const lost = new AbortController();
  const timer = setInterval(() => {
    db.trainingJob
      .updateMany({ where: { id: jobId, workerId, state: 'running' }, data: { heartbeatAt: new Date() } })
      .then(
        (r) => {
          if (r.count === 0) lost.abort();
        },
        // A failed beat is retried by the next one; if Postgres stays out of reach for the whole
        // stale window, the job is reaped, which is right for a trainer that cannot report.
        () => undefined,
      );
  }, everyMs);
  return {
    signal: lost.signal,
    get lost() {
      return lost.signal.aborted;
    },
    markLost: () => lost.abort(),
    stop: () => clearInterval(timer),
  };
}

const isNotFound = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025';

export type JobOutcome = 'completed' | 'cancelled' | 'skipped';

function runArtifactKey(orgId: string, runId: string, file: string): string {
  return `experiments/${orgId}/${runId}/${file}`;
}

const asNumber = (v: number | null | undefined) => (v === undefined || v === null || !Number.isFinite(v) ? null : v);

export async function runTrainingJob(deps: JobDeps, jobId: string): Promise<JobOutcome> {
  const { db } = deps;
  const now = new Date();
  // Claimed only while still wanted: a job cancelled while queued is not started. Attempts count
  // on the row, so a job requeued by a stopping worker keeps its numbering.
  const claimed = await db.trainingJob.updateMany({
    where: { id: jobId, state: { in: ['queued', 'running'] }, cancelRequested: false },
    data: {
      state: 'running',
      attempts: { increment: 1 },
      workerId: deps.workerId,
      heartbeatAt: now,
      error: null,
      backend: deps.backend.backend,
      epoch: 0,
      progress: 0,
    },
  });
  const job = await db.trainingJob.findUnique({
    where: { id: jobId },
    include: { datasetVersion: true, experiment: true },
  });
  if (!job) return 'skipped';
  if (claimed.count === 0) {
    if (job.state === 'queued' || job.state === 'running') {
      await db.trainingJob.update({ where: { id: jobId }, data: { state: 'cancelled', finishedAt: new Date() } });
      await deps.publish(progressOf(job, { state: 'cancelled' }));
      return 'cancelled';
    }
    return 'skipped';
  }
  // Claimed: from here until the job ends the row carries a fresh heartbeat.
  const heartbeat = startHeartbeat(db, jobId, deps.workerId, deps.heartbeatMs);
  try {
    return await trainClaimedJob(deps, job, now, heartbeat);
  } finally {
    heartbeat.stop();
  }
}

async function trainClaimedJob(
  deps: JobDeps,
  job: Prisma.TrainingJobGetPayload<{ include: { datasetVersion: true; experiment: true } }>,
  now: Date,
  heartbeat: Heartbeat,
): Promise<JobOutcome> {
  const { db } = deps;
  const jobId = job.id;
  if (!job.startedAt) await db.trainingJob.update({ where: { id: jobId }, data: { startedAt: now } });
  const attempt = job.attempts;

  const params = trainingParamsSchema.parse(job.params);
  const runCount = await db.experimentRun.count({ where: { experimentId: job.experimentId } });
  const run = await db.experimentRun.create({
    data: {
      orgId: job.orgId,
      experimentId: job.experimentId,
      jobId: job.id,
      name: `${job.kind} #${runCount + 1}`,
      kind: job.kind,
      params: params,
      tags: job.tags,
      backend: `${deps.backend.backend} (${deps.backend.provider})`,
      datasetVersionId: job.datasetVersionId,
      datasetFingerprint: job.datasetVersion.fingerprint,
    },
  });
  await db.trainingJob.update({ where: { id: jobId }, data: { experimentRunId: run.id } });
  const started = performance.now();
  let last: EpochReport | null = null;
  const base = { ...job, experimentRunId: run.id, attempts: attempt };
  await deps.publish(progressOf(base, { state: 'running' }));

  try {
    const bytes = await getObject(deps.store, job.datasetVersion.dataKey);
    if (!bytes)
      throw new Error(
        `dataset version ${job.datasetVersion.version} has no data in the object store (${job.datasetVersion.dataKey})`,
      );
    const dataset = decodeDataset(bytes);

    const abort = new AbortController();
    const onStop = () => abort.abort();
    deps.stopping.addEventListener('abort', onStop, { once: true });
    heartbeat.signal.addEventListener('abort', onStop, { once: true });
    if (heartbeat.lost) abort.abort();
    let result;
    try {
      result = await trainKind(job.kind as ModelKind, dataset, params, {
        signal: abort.signal,
        onEpoch: async (r) => {
          last = r;
          const progress = Math.min(1, r.epoch / r.maxEpochs);
          await db.experimentRunEpoch.createMany({
            data: [
              {
                runId: run.id,
                epoch: r.epoch,
                loss: r.loss,
                valLoss: asNumber(r.valLoss),
                elapsedMs: Math.round(r.elapsedMs),
              },
            ],
            skipDuplicates: true,
          });
          // Only while the row is still this trainer's running job (see JobLostError).
          const row = await db.trainingJob
            .update({
              where: { id: jobId, workerId: deps.workerId, state: 'running' },
              data: {
                epoch: r.epoch,
                maxEpochs: r.maxEpochs,
                loss: asNumber(r.loss),
                valLoss: asNumber(r.valLoss),
                etaMs: Math.round(r.etaMs),
                progress,
                heartbeatAt: new Date(),
              },
              select: { cancelRequested: true },
            })
            .catch((err: unknown) => {
              if (isNotFound(err)) return null;
              throw err;
            });
          if (!row) {
            heartbeat.markLost();
            return;
          }
          // Checked once per epoch: a cancel stops training at the end of the current epoch.
          if (row.cancelRequested) abort.abort();
          await deps.publish(
            progressOf(base, {
              state: 'running',
              epoch: r.epoch,
              maxEpochs: r.maxEpochs,
              loss: r.loss,
              valLoss: r.valLoss,
              progress,
              etaMs: r.etaMs,
              elapsedMs: r.elapsedMs,
            }),
          );
        },
      });
    } finally {
      deps.stopping.removeEventListener('abort', onStop);
      heartbeat.signal.removeEventListener('abort', onStop);
    }

    if (result.trained.training.cancelled) {
      result.trained.model.dispose();
      if (heartbeat.lost)
        throw new JobLostError('the job was taken from this trainer (heartbeat stale) and queued again');
      if (deps.stopping.aborted)
        throw new WorkerStoppingError('the worker stopped during training; the job is retried');
      const finishedAt = new Date();
      await db.experimentRun.update({
        where: { id: run.id },
        data: { state: 'cancelled', finishedAt, durationMs: Math.round(performance.now() - started) },
      });
      await db.trainingJob.update({ where: { id: jobId }, data: { state: 'cancelled', finishedAt } });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the epoch callback sets last
      await deps.publish(progressOf(base, { state: 'cancelled', ...(last ? epochFields(last) : {}) }));
      return 'cancelled';
    }

    const trained = result.trained;
    const onnx = exportOnnx(trained, {
      metadata: { 'drivelab.experiment_run': run.id, 'drivelab.dataset_fingerprint': job.datasetVersion.fingerprint },
    });
    const tfjs = await serialiseTfjs(trained.model);
    trained.model.dispose();
    const sidecar = {
      ...onnx.sidecar,
      // Beside the graph: what a caller applies before it (missing values, smoothing, order feature).
      preprocessing: result.preprocessing,
      dataset: {
        versionId: job.datasetVersionId,
        version: job.datasetVersion.version,
        fingerprint: job.datasetVersion.fingerprint,
        groupBy: job.datasetVersion.groupBy,
        split: result.split,
      },
      training: {
        experimentRunId: run.id,
        backend: deps.backend.backend,
        epochs: trained.training.epochsRun,
        bestEpoch: trained.training.bestEpoch,
        hyperparameters: trained.hyperparameters,
      },
    };
    const metrics: Record<string, number | null> = {
      ...result.metrics,
      bestEpoch: trained.training.bestEpoch,
      epochs: trained.training.epochsRun,
      bestValLoss: trained.training.bestValLoss,
      trainSeconds: Number((trained.training.trainMs / 1000).toFixed(2)),
    };

    // The run keeps its own copies: a model version can be deleted, the experiment record stays.
    const keys = {
      onnx: runArtifactKey(job.orgId, run.id, 'model.onnx'),
      tfjs: runArtifactKey(job.orgId, run.id, 'tfjs.json'),
      sidecar: runArtifactKey(job.orgId, run.id, 'sidecar.json'),
      normalisation: runArtifactKey(job.orgId, run.id, 'normalisation.json'),
      features: runArtifactKey(job.orgId, run.id, 'features.json'),
      dataset: runArtifactKey(job.orgId, run.id, 'dataset.json'),
    };
    await putObject(deps.store, keys.onnx, onnx.bytes);
    await putJson(deps.store, keys.tfjs, tfjs);
    await putJson(deps.store, keys.sidecar, sidecar);
    await putJson(deps.store, keys.normalisation, {
      ...trained.normalisation,
      ...('targetScaling' in trained ? { target: trained.targetScaling } : {}),
      imputation: result.preprocessing.imputation,
    });
    await putJson(deps.store, keys.features, trained.featureNames);
    await putJson(deps.store, keys.dataset, sidecar.dataset);

    if (heartbeat.lost)
      throw new JobLostError('the job was taken from this trainer (heartbeat stale) and queued again');
    const version = await registerModelVersion(
      db,
      {
        orgId: job.orgId,
        modelName: job.modelName,
        kind: job.kind as ModelKind,
        featureNames: trained.featureNames,
        metrics,
        threshold:
          trained.kind === 'autoencoder'
            ? trained.threshold
            : trained.kind === 'mlp-classifier' && trained.binary
              ? 0.5
              : null,
        onnx: onnx.bytes,
        sidecar,
        tfjs,
        inputShape: result.inputShape,
        outputShape: result.outputShape,
        ...(result.reference ? { reference: result.reference } : {}),
        experimentRunId: run.id,
        createdById: job.createdById,
        description: `Trained from experiment ${job.experiment.name}`,
      },
      deps.store,
    );
    const finishedAt = new Date();
    await db.experimentRun.update({
      where: { id: run.id },
      data: {
        state: 'completed',
        metrics: metrics,
        artifacts: keys,
        modelVersionId: version.id,
        finishedAt,
        durationMs: Math.round(performance.now() - started),
      },
    });
    await db.trainingJob.update({
      where: { id: jobId },
      data: { state: 'completed', progress: 1, modelVersionId: version.id, finishedAt, etaMs: 0 },
    });
    // A drift retrain under "retrain and gate-promote" moves production when its metrics beat it.
    await gatePromoteRetrained(db, job, version);
    await deps.publish(
      progressOf(base, {
        state: 'completed',
        progress: 1,
        etaMs: 0,
        modelVersionId: version.id,
        metrics,
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the epoch callback sets last
        ...(last ? epochFields(last) : {}),
      }),
    );
    return 'completed';
  } catch (err) {
    // A lost job's run was closed by the trainer that reaped it.
    if (err instanceof JobLostError) throw err;
    await db.experimentRun.update({
      where: { id: run.id },
      data: {
        state: 'failed',
        error: (err instanceof Error ? err.message : String(err)).slice(0, 2000),
        finishedAt: new Date(),
        durationMs: Math.round(performance.now() - started),
      },
    });
    throw err;
  }
}

function epochFields(r: EpochReport) {
  return { epoch: r.epoch, maxEpochs: r.maxEpochs, loss: r.loss, valLoss: r.valLoss, elapsedMs: r.elapsedMs };
}

export function progressOf(
  job: { id: string; orgId: string; experimentRunId: string | null; attempts: number; backend?: string | null },
  p: Partial<Omit<TrainingProgress, 'v' | 'orgId' | 'jobId'>> & { state: TrainingProgress['state'] },
): TrainingProgress {
  return {
    v: 1,
    orgId: job.orgId,
    jobId: job.id,
    runId: p.runId ?? job.experimentRunId,
    state: p.state,
    attempt: p.attempt ?? job.attempts,
    epoch: p.epoch ?? 0,
    maxEpochs: p.maxEpochs ?? 0,
    loss: asNumber(p.loss),
    valLoss: asNumber(p.valLoss),
    progress: p.progress ?? (p.state === 'completed' ? 1 : 0),
    etaMs: p.etaMs === undefined || p.etaMs === null ? null : Math.max(0, p.etaMs),
    elapsedMs: Math.max(0, p.elapsedMs ?? 0),
    backend: p.backend ?? job.backend ?? null,
    error: p.error ? p.error.slice(0, 2000) : null,
    modelVersionId: p.modelVersionId ?? null,
    metrics: p.metrics ?? null,
    ts: Date.now(),
  };
}
