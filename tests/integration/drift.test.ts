import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_SET } from '~/server/contracts/features';
import { db } from '~/server/db';
import { runDriftCheck } from '~/server/drift/check';
import type { DriftReport } from '~/server/drift/report';
import { registerModelVersion } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { sharedBoss, stopSharedBoss, TRAINING_QUEUE } from '~/server/training/queue';
import { autoencoderVersion, FEATURES, featureRows, trainFeatureAutoencoder } from '~/scripts/fixtures/models';
import { float8ArrayLiteral } from '~/workers/features/offline-sql';
import { expectedWearRetrain, expectFaultedDrift, FAULTED_FEATURES, recordWearTraining } from '../helpers/drift';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';

/**
 * Drift checks on Postgres: a version registered with its reference sample, served feature
 * windows in the offline store (as the features worker writes them for what inference scores),
 * a stored report, and the "retrain" policy queueing a training job on pg-boss.
 */
let A: OrgFixture;
let modelId = '';

async function serve(seed: number, n: number, fault: boolean, at: Date) {
  const rows = featureRows(seed, n, fault);
  await db.featureWindow.createMany({
    data: rows.map((values, i) => ({
      orgId: A.org.id,
      runId: A.ids.runId,
      vehicleId: `v${seed}-${i % 10}`,
      windowStart: i,
      windowSize: 1,
      windowEnd: i + 1,
      kind: 'tumbling',
      featureSetVersion: FEATURE_SET.version,
      values,
      frameCount: 10,
      updatedAt: at,
    })),
  });
}

beforeAll(async () => {
  A = await makeOrg('drift');
  const t = await trainFeatureAutoencoder(5, { epochs: 3 });
  const v = await registerModelVersion(
    db,
    autoencoderVersion(A.org.id, 'wear', t, { reference: { features: featureRows(1, 800), predictions: [] } }),
    objectStore(),
  );
  modelId = v.modelId;
  // The version was trained by a job: the retrain policy repeats it.
  await recordWearTraining(A, v.id);
  await serve(2, 1500, false, new Date('2026-01-01T10:30:00Z'));
  await serve(3, 1500, true, new Date('2026-01-01T11:30:00Z'));
}, 120_000);

afterAll(async () => {
  await stopSharedBoss();
});

const hour = (h: number) => new Date(`2026-01-01T${String(h).padStart(2, '0')}:00:00Z`);

describe('drift checks', () => {
  it('passes an unshifted window and flags a shifted one, with p-values and distances', async () => {
    const calm = await runDriftCheck(db, { orgId: A.org.id, modelId, from: hour(10), to: hour(11) });
    expect(calm).toMatchObject({ rows: 1500, datasetDrift: false, policy: 'notify', retrainJobId: null });
    const c = calm.report as unknown as DriftReport;
    expect(c.columns).toHaveLength(FEATURES.length);
    for (const col of c.columns) {
      expect(col.test).toBe('ks');
      expect(col.pValue!).toBeGreaterThan(0.001);
    }
    expect(c.driftedShare).toBeLessThan(0.2);

    const shifted = await runDriftCheck(db, { orgId: A.org.id, modelId, from: hour(11), to: hour(12) });
    expect(shifted).toMatchObject({ rows: 1500, policy: 'notify', retrainJobId: null });
    const s = shifted.report as unknown as DriftReport;
    expectFaultedDrift(s);
    expect(s.columns.filter((x) => x.drifted).length).toBeGreaterThanOrEqual(FAULTED_FEATURES.length);
    const stored = await db.driftReport.findMany({ where: { orgId: A.org.id }, orderBy: { windowStart: 'asc' } });
    expect(stored.map((r) => r.datasetDrift)).toEqual([false, s.datasetDrift]);
  });

  it('with policy "retrain", a drifting dataset queues a training job like the one that trained the version', async () => {
    // Most columns must drift for dataset drift: a window where every feature is far off.
    await db.featureWindow.createMany({
      data: featureRows(4, 600).map((values, i) => ({
        orgId: A.org.id,
        runId: A.ids.runId,
        vehicleId: `far-${i % 10}`,
        windowStart: i,
        windowSize: 1,
        windowEnd: i + 1,
        kind: 'tumbling',
        featureSetVersion: FEATURE_SET.version,
        values: values.map((v) => v * 1.5 + 20),
        frameCount: 10,
        updatedAt: new Date('2026-01-01T12:30:00Z'),
      })),
    });
    await db.registeredModel.update({ where: { id: modelId }, data: { driftPolicy: 'retrain' } });
    const r = await runDriftCheck(db, { orgId: A.org.id, modelId, from: hour(12), to: hour(13) });
    expect(r.datasetDrift).toBe(true);
    expect(r.driftedShare).toBeGreaterThanOrEqual(0.5);
    expect(r.retrainJobId).not.toBeNull();
    const job = await db.trainingJob.findUniqueOrThrow({ where: { id: r.retrainJobId! } });
    expect(job).toMatchObject(expectedWearRetrain(A));
    expect(job.bossJobId).not.toBeNull();
    // Not for a trainer of this suite: another file's trainer or queue check must not find it.
    await (await sharedBoss()).deleteJob(TRAINING_QUEUE, job.bossJobId!);
  });
  it('reads windows the features worker stored with a missing feature (a NULL element)', async () => {
    // Written as workers/features/offline-sql.ts writes them: Prisma's Float[] cannot read NULLs back.
    const gap = FEATURES.indexOf('lead_ttc_min');
    const rows = featureRows(6, 300);
    for (const [i, values] of rows.entries()) {
      const stored = values.map((v, j) => (j === gap ? null : v));
      await db.$executeRaw`
        INSERT INTO "FeatureWindow" ("orgId","runId","vehicleId","windowStart","windowSize","windowEnd","kind","featureSetVersion","values","frameCount","updatedAt")
        VALUES (${A.org.id}, ${A.ids.runId}, ${`gap-${i % 10}`}, ${i}, 1, ${i + 1}, 'tumbling', ${FEATURE_SET.version},
          ${float8ArrayLiteral(stored)}::double precision[], 10, ${new Date('2026-01-01T13:30:00Z')})`;
    }
    await db.registeredModel.update({ where: { id: modelId }, data: { driftPolicy: 'notify' } });
    const r = await runDriftCheck(db, { orgId: A.org.id, modelId, from: hour(13), to: hour(14) });
    expect(r).toMatchObject({ rows: 300, datasetDrift: false, retrainJobId: null });
    const report = r.report as unknown as DriftReport;
    expect(report.columns).toHaveLength(FEATURES.length);
  });
});
