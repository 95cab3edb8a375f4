import type { TrainingJob } from '@prisma/client';

/** The public shape of a training job (tRPC, REST): no worker internals such as the pg-boss id. */
export function jobView(j: TrainingJob) {
  return {
    id: j.id,
    kind: j.kind,
    modelName: j.modelName,
    experimentId: j.experimentId,
    datasetVersionId: j.datasetVersionId,
    state: j.state,
    params: j.params,
    tags: j.tags,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    cancelRequested: j.cancelRequested,
    progress: j.progress,
    epoch: j.epoch,
    maxEpochs: j.maxEpochs,
    loss: j.loss,
    valLoss: j.valLoss,
    etaMs: j.etaMs,
    error: j.error,
    backend: j.backend,
    experimentRunId: j.experimentRunId,
    modelVersionId: j.modelVersionId,
    scheduleId: j.scheduleId,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  };
}
