import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '~/server/db';
import { getObject } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { decodeDataset } from '~/server/training/materialised';
import { stopSharedBoss } from '~/server/training/queue';
import { testPool } from '../helpers/pipeline';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { materialiseSimulatedRun, spawnTrainer, waitForJob } from '../helpers/training';

/**
 * The acceptance path of issue 7: simulated runs with injected faults → offline store → a dataset
 * labelled by the fault events → an autoencoder trained by the worker on some runs → evaluated on
 * runs it never saw (held out by run): precision, recall, F1 and fault-onset-to-detection delay.
 */
const FAULTS = ['engine_overheat', 'battery_thermal_runaway', 'tire_leak', 'brake_fade'] as const;

describe('anomaly detector on simulated runs, evaluated on held-out runs', () => {
  let a: OrgFixture;
  let trainer: ReturnType<typeof spawnTrainer>;
  const pool = testPool();
  const runIds: string[] = [];

  beforeAll(async () => {
    a = await makeOrg('anomaly');
    trainer = spawnTrainer();
    for (let i = 0; i < 8; i++) {
      runIds.push(
        await materialiseSimulatedRun(
          pool,
          { orgId: a.org.id, scenarioId: a.ids.scenarioId },
          {
            name: `fault run ${i}`,
            map: 'highway_ring',
            durationS: 90,
            seed: 100 + i,
            traffic: { vehicles: 2 },
            faults: [
              { type: FAULTS[i % FAULTS.length], vehicle: 'ego', startS: 40 + (i % 3) * 5, rampS: 5, severity: 0.9 },
            ],
          },
        ),
      );
    }
  }, 300_000);
  afterAll(async () => {
    expect(await trainer.stop()).toBe(0);
    await stopSharedBoss();
    await pool.end();
  });

  it('builds the dataset point-in-time from fault events and detects faults on unseen runs', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const ds = await engineer.datasets.createFromRuns({
      org: a.org.slug,
      name: 'Ego faults',
      spec: { source: 'offline', runIds, windowKind: 'sliding', windowSize: 10, vehicleIds: ['ego'], groupBy: 'run' },
    });
    const counts = (ds.stats as { classCounts: Record<string, number> }).classCounts;
    expect(ds.groupCount).toBe(8);
    expect(counts.fault).toBeGreaterThan(8 * 30);
    expect(counts.normal).toBeGreaterThan(8 * 30);

    // Point in time: a row is faulty exactly when its window [end - 10 s, end) overlaps its run's
    // fault, which (with no fault_end) lasts from fault_start to the end of the run.
    const starts = await db.runEvent.findMany({
      where: { runId: { in: runIds }, type: 'fault_start', vehicleId: 'ego' },
    });
    expect(starts).toHaveLength(8);
    const onset = new Map(starts.map((e) => [e.runId, e.t]));
    const stored = await db.datasetVersion.findUniqueOrThrow({ where: { id: ds.versionId } });
    const data = decodeDataset((await getObject(objectStore(), stored.dataKey))!);
    for (let r = 0; r < data.rows; r++) {
      const faulty = data.order[r]! > onset.get(data.groups[r]!)!;
      expect(data.labels[r], `row ${r} (${data.groups[r]} window ending ${data.order[r]})`).toBe(faulty ? 1 : 0);
    }

    const job = await engineer.training.start({
      org: a.org.slug,
      datasetVersionId: ds.versionId,
      kind: 'autoencoder',
      experiment: 'Ego anomaly',
      params: { epochs: 80, patience: 10 },
    });
    const done = await waitForJob(job.id, (j) => j.state === 'completed' || j.state === 'failed', 240_000);
    expect(done.error).toBeNull();
    const run = await db.experimentRun.findUniqueOrThrow({ where: { id: done.experimentRunId! } });
    const m = run.metrics as Record<string, number>;
    const sidecar = await engineer.training.get({ org: a.org.slug, id: job.id });
    console.log(
      `[anomaly] held-out runs: precision ${m.precision!.toFixed(3)} recall ${m.recall!.toFixed(3)} F1 ${m.f1!.toFixed(3)} ROC-AUC ${m.rocAuc?.toFixed(3)} ` +
        `faults detected ${m.faultsDetected}/${m.faultsEvaluated}, onset→detection mean ${m.meanDetectionDelayS?.toFixed(1)} s median ${m.medianDetectionDelayS?.toFixed(1)} s ` +
        `(${m.evaluatedRows} windows, threshold ${m.threshold!.toFixed(3)}, ${m.epochs} epochs, ${sidecar.backend})`,
    );
    expect(m.evaluatedRows).toBeGreaterThan(100);
    expect(m.faultsEvaluated).toBe(2);
    expect(m.rocAuc).toBeGreaterThan(0.8);
    expect(m.f1).toBeGreaterThan(0.5);
    expect(m.faultsDetected).toBeGreaterThanOrEqual(1);
    expect(m.meanDetectionDelayS).toBeGreaterThan(0);

    // The split was by run: the evaluated runs were neither trained on nor used for the threshold.
    const mv = await db.modelVersion.findUniqueOrThrow({ where: { id: done.modelVersionId! } });
    const side = JSON.parse(Buffer.from((await getObject(objectStore(), mv.sidecarKey!))!).toString()) as {
      dataset: { split: { train: string[]; validation: string[]; test: string[]; evaluatedOn: string } };
    };
    const split = side.dataset.split;
    expect(split.evaluatedOn).toBe('test');
    expect(split.test).toHaveLength(2);
    for (const r of split.test) {
      expect(split.train).not.toContain(r);
      expect(split.validation).not.toContain(r);
    }
    expect(mv.threshold).toBeCloseTo(m.threshold!, 6);
  }, 300_000);
});
