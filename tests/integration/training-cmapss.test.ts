import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { POST as postJob } from '~/app/api/v1/training/jobs/route';
import { CMAPSS_PRESET, trainingProgressSchema, type TrainingProgress } from '~/server/contracts/training';
import { db } from '~/server/db';
import { topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { getObject } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { decodeDataset } from '~/server/training/materialised';
import { stopSharedBoss } from '~/server/training/queue';
import { cmapssDir } from '~/workers/trainer/datasets/cmapss';
import { collect } from '../helpers/kafka';
import { jsonRequest, spawnTrainer, uploadRequest, waitForJob } from '../helpers/training';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';
import { createKafka } from '~/server/kafka/client';

/**
 * C-MAPSS FD001 through the platform: upload (unit = group, RUL capped at 125), a 1D-CNN job on
 * the pg-boss queue, the trainer worker process, progress on dl.training, a registered version.
 * A short run (few epochs); the full training is measured by `npm run bench -- training`.
 */
describe('C-MAPSS FD001 RUL training through the job queue', () => {
  let a: OrgFixture;
  let trainer: ReturnType<typeof spawnTrainer>;
  beforeAll(async () => {
    a = await makeOrg('cmapss');
    trainer = spawnTrainer();
  });
  afterAll(async () => {
    expect(await trainer.stop()).toBe(0);
    await stopSharedBoss();
  });

  it('imports train_FD001.txt as a dataset and trains a 1D-CNN through the worker', async () => {
    const text = await readFile(path.join(cmapssDir(), 'train_FD001.txt'), 'utf8');
    const res = await uploadDataset(
      uploadRequest(a.apiKey.key, 'train_FD001.txt', text, {
        name: 'FD001',
        format: 'whitespace',
        columns: CMAPSS_PRESET.columns,
        groupColumn: 'unit',
        orderColumn: 'cycle',
        featureColumns: CMAPSS_PRESET.featureColumns,
        label: { type: 'rul', cap: 125 },
        groupKind: 'unit',
      }),
    );
    expect(res.status).toBe(201);
    const up = (await res.json()) as {
      versionId: string;
      rows: number;
      groups: number;
      featureNames: string[];
      labelKind: string;
    };
    expect(up).toMatchObject({ rows: 20631, groups: 100, labelKind: 'regression' });
    expect(up.featureNames).toHaveLength(21);

    // RUL labels: piecewise linear, capped at 125, 0 at each unit's last cycle (unit 1: 192 cycles).
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: up.versionId } });
    const data = decodeDataset((await getObject(objectStore(), version.dataKey))!);
    const unit1 = Array.from({ length: data.rows }, (_, i) => i).filter((i) => data.groups[i] === '1');
    expect(unit1).toHaveLength(192);
    expect(data.labels[unit1[0]!]).toBe(125);
    expect(data.labels[unit1.at(-1)!]).toBe(0);
    expect(data.labels[unit1.at(-10)!]).toBe(9);
    expect(version.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);

    const posted = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
        datasetVersionId: up.versionId,
        kind: 'cnn-regressor',
        experiment: 'FD001 RUL',
        params: { epochs: 4, patience: 4 },
      }),
    );
    expect(posted.status).toBe(201);
    const { job } = (await posted.json()) as { job: { id: string; state: string } };
    expect(job.state).toBe('queued');

    const progress = collect<TrainingProgress>(
      createKafka({ clientId: 'test-training-progress' }),
      topic(TOPICS.training, process.env.KAFKA_TOPIC_PREFIX),
      (v) => {
        const p = trainingProgressSchema.safeParse(JSON.parse(v!.toString()));
        return p.success && p.data.jobId === job.id ? p.data : undefined;
      },
      (items) => items.some((p) => p.state === 'completed' || p.state === 'failed'),
      240_000,
    );
    const done = await waitForJob(job.id, (j) => j.state === 'completed' || j.state === 'failed', 240_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    const messages = await progress;
    const epochs = messages.filter((m) => m.state === 'running' && m.epoch > 0).map((m) => m.epoch);
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(messages.at(-1)).toMatchObject({ state: 'completed', progress: 1 });

    const run = await db.experimentRun.findUniqueOrThrow({
      where: { id: done.experimentRunId! },
      include: { epochs: true },
    });
    const metrics = run.metrics as Record<string, number>;
    console.log(
      `[cmapss] 4-epoch 1D-CNN: validation RMSE ${metrics.rmse?.toFixed(2)}, MAE ${metrics.mae?.toFixed(2)}, ${metrics.trainSeconds}s, backend ${run.backend}`,
    );
    expect(run.epochs).toHaveLength(4);
    expect(run.backend).toMatch(/wasm|tensorflow|webgpu|cpu/);
    // Four epochs already beat predicting the mean RUL (about 41 cycles RMSE on FD001).
    expect(metrics.rmse).toBeLessThan(35);
    expect(run.datasetFingerprint).toBe(version.fingerprint);

    const mv = await db.modelVersion.findUniqueOrThrow({
      where: { id: done.modelVersionId! },
      include: { model: true },
    });
    expect(mv).toMatchObject({ kind: 'cnn-regressor', experimentRunId: run.id, inputShape: [30, 15] });
    expect(mv.model.name).toBe('FD001 RUL');
    const artifacts = run.artifacts as Record<string, string>;
    for (const key of ['onnx', 'tfjs', 'sidecar', 'normalisation', 'features', 'dataset'])
      expect(await getObject(objectStore(), artifacts[key]!), key).not.toBeNull();

    // The registered ONNX model runs in onnxruntime on raw feature windows.
    const session = await ort.InferenceSession.create(Buffer.from((await getObject(objectStore(), mv.onnxKey))!));
    const sidecar = JSON.parse(Buffer.from((await getObject(objectStore(), mv.sidecarKey!))!).toString()) as {
      featureNames: string[];
      preprocessing: { smoothing: { alpha: number } };
    };
    expect(sidecar.featureNames.at(-1)).toBe('cycle');
    expect(sidecar.preprocessing.smoothing.alpha).toBe(0.05);
    const out = await session.run({
      features: new ort.Tensor('float32', new Float32Array(30 * 15).fill(1), [1, 30, 15]),
    });
    expect(Number.isFinite((out.prediction!.data as Float32Array)[0])).toBe(true);
  }, 300_000);
});
