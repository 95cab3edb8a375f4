import { expect } from 'vitest';
import { db } from '~/server/db';
import type { DriftReport } from '~/server/drift/report';
import { FEATURES } from '~/scripts/fixtures/models';
import { callerFor, userCaller, type OrgFixture } from './tenancy';

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

/** featureRows' fault mode moves every fifth feature (j % 5 === 0) eight latent units off. */
export const FAULTED_FEATURES = FEATURES.filter((_, j) => j % 5 === 0);

/** A report on faulted rows: every faulted feature drifts, unmistakably, and they come first. */
export function expectFaultedDrift(report: DriftReport): void {
  for (const name of FAULTED_FEATURES) {
    const col = report.columns.find((x) => x.column === name)!;
    expect(col.drifted).toBe(true);
    expect(col.pValue!).toBeLessThan(1e-6);
    expect(col.distance).toBeGreaterThan(1);
  }
  expect(new Set(report.columns.slice(0, FAULTED_FEATURES.length).map((x) => x.column))).toEqual(
    new Set(FAULTED_FEATURES),
  );
}

/** Sets a model's drift checks as the org's engineer would: windows of `rows` served rows. */
export async function setCountWindows(
  org: OrgFixture,
  modelId: string,
  rows: number,
  policy: 'notify' | 'retrain' = 'notify',
): Promise<void> {
  await callerFor(userCaller(org.users.engineer)).drift.setSettings({
    org: org.org.slug,
    modelId,
    policy,
    window: { kind: 'count', rows },
  });
}
