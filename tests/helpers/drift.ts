import { db } from '~/server/db';
import type { OrgFixture } from './tenancy';

/**
 * The drift suites' model: "wear", an autoencoder trained by a job for 3 epochs on the org's
 * dataset version. The job is recorded so that the "retrain" policy has something to repeat.
 */
const WEAR_JOB = { kind: 'autoencoder', modelName: 'wear', params: { epochs: 3 } } as const;

/** Records the completed training job that produced `modelVersionId`. */
export async function recordWearTraining(A: OrgFixture, modelVersionId: string): Promise<void> {
  await db.trainingJob.create({
    data: {
      orgId: A.org.id,
      experimentId: A.ids.experimentId,
      datasetVersionId: A.ids.datasetVersionId,
      ...WEAR_JOB,
      state: 'completed',
      modelVersionId,
    },
  });
}

/** What the retrain policy queues for that version: the same job again, tagged as a retrain. */
export function expectedWearRetrain(A: OrgFixture) {
  return { state: 'queued', ...WEAR_JOB, datasetVersionId: A.ids.datasetVersionId, tags: ['drift-retrain'] };
}
