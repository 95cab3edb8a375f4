import type { PrismaClient } from '@prisma/client';
import { queuePlace } from './queue-place';
import { jobView } from './views';

/**
 * One training job as the portal and the REST API show it: state and progress, its dataset
 * version, its experiment run with the loss curve, and the model version it registered.
 * Another org's job is null, like a job that does not exist.
 */
export async function trainingJobDetail(db: PrismaClient, orgId: string, id: string) {
  const j = await db.trainingJob.findFirst({
    where: { id, orgId },
    include: {
      experiment: { select: { id: true, name: true } },
      datasetVersion: {
        select: {
          id: true,
          version: true,
          fingerprint: true,
          rowCount: true,
          groupBy: true,
          dataset: { select: { id: true, name: true } },
        },
      },
    },
  });
  if (!j) return null;
  const run = j.experimentRunId
    ? await db.experimentRun.findFirst({
        where: { id: j.experimentRunId, orgId },
        include: { epochs: { orderBy: { epoch: 'asc' } } },
      })
    : null;
  const version = j.modelVersionId
    ? await db.modelVersion.findFirst({
        where: { id: j.modelVersionId, orgId },
        select: { id: true, version: true, model: { select: { id: true, name: true } } },
      })
    : null;
  const queue = await queuePlace(db, orgId, j);
  return {
    ...jobView(j),
    /** Place in the org's queue and expected start, while the job is queued (else null). */
    queue,
    experiment: j.experiment,
    dataset: {
      id: j.datasetVersion.dataset.id,
      name: j.datasetVersion.dataset.name,
      versionId: j.datasetVersion.id,
      version: j.datasetVersion.version,
      fingerprint: j.datasetVersion.fingerprint,
      rowCount: j.datasetVersion.rowCount,
      groupBy: j.datasetVersion.groupBy,
    },
    run: run
      ? {
          id: run.id,
          name: run.name,
          state: run.state,
          metrics: run.metrics as Record<string, number | null> | null,
          backend: run.backend,
          error: run.error,
          epochs: run.epochs.map((e) => ({
            epoch: e.epoch,
            loss: e.loss,
            valLoss: e.valLoss,
            elapsedMs: e.elapsedMs,
          })),
        }
      : null,
    modelVersion: version
      ? { id: version.id, version: version.version, modelId: version.model.id, modelName: version.model.name }
      : null,
  };
}
