import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getArtifact } from '~/app/api/v1/experiments/runs/[id]/artifacts/[name]/route';
import { GET as getExperiments } from '~/app/api/v1/experiments/route';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { GET as listJobs, POST as postJob } from '~/app/api/v1/training/jobs/route';
import { db } from '~/server/db';
import { getObject, putObject } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { stopSharedBoss } from '~/server/training/queue';
import { generateApiKey } from '~/server/auth/tokens';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import {
  jsonRequest,
  spawnTrainer,
  startAutoencoderJob,
  uploadLabelledVehicles,
  uploadRequest,
  waitForJob,
} from '../helpers/training';

describe('training jobs: queue states, retry, cancel, REST', () => {
  let a: OrgFixture;
  let b: OrgFixture;
  let versionId: string;
  let trainer: ReturnType<typeof spawnTrainer> | null = null;

  beforeAll(async () => {
    process.env.TRAINING_RETRY_DELAY_S = '2';
    [a, b] = [await makeOrg('jobs-a'), await makeOrg('jobs-b')];
    versionId = await uploadLabelledVehicles(a.apiKey.key, 'Vehicle temps');
  });
  afterAll(async () => {
    if (trainer) expect(await trainer.stop()).toBe(0);
    await stopSharedBoss();
  });

  it('cancels a queued job at once; no worker ever starts it', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const job = await engineer.training.start({ org: a.org.slug, datasetVersionId: versionId, kind: 'mlp-classifier' });
    expect(job).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await engineer.training.cancel({ org: a.org.slug, id: job.id })).state).toBe('cancelled');
    trainer = spawnTrainer();
    // A second job queued behind it completes; the cancelled one was never claimed.
    const next = await engineer.training.start({
      org: a.org.slug,
      datasetVersionId: versionId,
      kind: 'mlp-classifier',
      params: { epochs: 5 },
    });
    await waitForJob(next.id, (j) => j.state === 'completed', 120_000);
    expect(await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
      state: 'cancelled',
      attempts: 0,
      experimentRunId: null,
    });
    const done = await engineer.training.get({ org: a.org.slug, id: next.id });
    expect(done.run?.metrics?.f1).toBeGreaterThan(0.8);
    expect(done.modelVersion).toMatchObject({ modelName: 'Vehicle temps', version: 1 });
  }, 180_000);

  it('stops a running job at the next epoch when cancelled', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const job = await startAutoencoderJob(a, versionId, 'Vehicle temps detector', { epochs: 1000, batchSize: 8 });
    await waitForJob(job.id, (j) => j.state === 'running' && j.epoch >= 3, 120_000);
    await engineer.training.cancel({ org: a.org.slug, id: job.id });
    const stopped = await waitForJob(job.id, (j) => j.state !== 'running', 60_000);
    expect(stopped.state).toBe('cancelled');
    expect(stopped.epoch).toBeLessThan(1000);
    const run = await db.experimentRun.findUniqueOrThrow({
      where: { id: stopped.experimentRunId! },
      include: { epochs: true },
    });
    expect(run.state).toBe('cancelled');
    expect(run.epochs.length).toBe(stopped.epoch);
    expect(stopped.modelVersionId).toBeNull();
  }, 180_000);

  it('a trainer stopped with SIGTERM hands its running job back; another trainer takes it over', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const job = await startAutoencoderJob(a, versionId, 'Vehicle temps detector', {
      epochs: 1000,
      batchSize: 4,
      maxAttempts: 1,
    });
    await waitForJob(job.id, (j) => j.state === 'running' && j.epoch >= 2, 120_000);
    expect(await trainer!.stop()).toBe(0);
    const handedBack = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(handedBack).toMatchObject({ state: 'queued', attempts: 1 });
    expect(handedBack.error).toMatch(/attempt 1 interrupted: the trainer stopped; requeued/);
    trainer = spawnTrainer();
    await waitForJob(job.id, (j) => j.state === 'running' && j.attempts === 2 && j.epoch >= 1, 120_000);
    await engineer.training.cancel({ org: a.org.slug, id: job.id });
    await waitForJob(job.id, (j) => j.state === 'cancelled', 60_000);
    const runs = await db.experimentRun.findMany({ where: { jobId: job.id }, orderBy: { startedAt: 'asc' } });
    expect(runs.map((r) => r.state)).toEqual(['failed', 'cancelled']);
    expect(runs[0]!.error).toMatch(/worker stopped/);
  }, 240_000);

  it('retries a failed attempt and completes on the next; gives up after the last attempt', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
    const store = objectStore();
    const bytes = (await getObject(store, version.dataKey))!;
    await store.remove(version.dataKey);
    try {
      const job = await engineer.training.start({
        org: a.org.slug,
        datasetVersionId: versionId,
        kind: 'mlp-classifier',
        params: { epochs: 3 },
        maxAttempts: 2,
      });
      const first = await waitForJob(
        job.id,
        (j) => j.attempts === 1 && j.state === 'queued' && j.error !== null,
        60_000,
      );
      expect(first.error).toMatch(/attempt 1 failed: .*no data in the object store/);
      await putObject(store, version.dataKey, bytes);
      const done = await waitForJob(job.id, (j) => j.state === 'completed' || j.state === 'failed', 60_000);
      expect(done).toMatchObject({ state: 'completed', attempts: 2, error: null });
      const runs = await db.experimentRun.findMany({ where: { jobId: job.id }, orderBy: { startedAt: 'asc' } });
      expect(runs.map((r) => r.state)).toEqual(['failed', 'completed']);

      await store.remove(version.dataKey);
      const doomed = await engineer.training.start({
        org: a.org.slug,
        datasetVersionId: versionId,
        kind: 'mlp-classifier',
        maxAttempts: 1,
      });
      const failed = await waitForJob(doomed.id, (j) => j.state === 'failed', 60_000);
      expect(failed).toMatchObject({ attempts: 1 });
      expect(failed.error).toMatch(/no data in the object store/);
    } finally {
      await putObject(store, version.dataKey, bytes);
    }
  }, 180_000);

  it('checks kinds against labels and names', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    await expect(
      engineer.training.start({ org: a.org.slug, datasetVersionId: versionId, kind: 'cnn-regressor' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      engineer.training.start({
        org: a.org.slug,
        datasetVersionId: versionId,
        kind: 'autoencoder',
        modelName: 'Vehicle temps',
      }),
    ).rejects.toThrow(/holds mlp-classifier versions/);
    await expect(
      engineer.training.start({ org: a.org.slug, datasetVersionId: b.ids.datasetVersionId, kind: 'autoencoder' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('REST: POST /api/v1/training/jobs and GET /api/v1/experiments need a key of the org and its role', async () => {
    const body = { datasetVersionId: versionId, kind: 'mlp-classifier', params: { epochs: 2 } };
    expect((await postJob(jsonRequest('/api/v1/training/jobs', null, body))).status).toBe(401);
    expect((await postJob(jsonRequest('/api/v1/training/jobs', 'dlk_nonsense', body))).status).toBe(401);
    const viewerKey = generateApiKey();
    await db.apiKey.create({
      data: { orgId: a.org.id, name: 'viewer', prefix: viewerKey.prefix, hash: viewerKey.hash, role: 'viewer' },
    });
    expect((await postJob(jsonRequest('/api/v1/training/jobs', viewerKey.key, body))).status).toBe(403);
    // Another org's key cannot train on A's dataset: same 404 as a dataset that does not exist.
    const cross = await postJob(jsonRequest('/api/v1/training/jobs', b.apiKey.key, body));
    expect(cross.status).toBe(404);
    const bad = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, { datasetVersionId: versionId, kind: 'transformer' }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe('kind');
    expect((await postJob(jsonRequest('/api/v1/training/jobs', a.apiKey.key, '{not json'))).status).toBe(400);
    const ok = await postJob(jsonRequest('/api/v1/training/jobs', a.apiKey.key, body));
    expect(ok.status).toBe(201);
    const { job } = (await ok.json()) as { job: { id: string; state: string } };
    expect(job.state).toBe('queued');
    await waitForJob(job.id, (j) => j.state === 'completed', 60_000);

    // The run's artifacts download with a key of its org; another org's key gets the same 404 as no run.
    const runId = (await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } })).experimentRunId!;
    const artifact = (key: string | null, name: string) =>
      getArtifact(jsonRequest(`/api/v1/experiments/runs/${runId}/artifacts/${name}`, key), {
        params: Promise.resolve({ id: runId, name }),
      });
    const onnx = await artifact(viewerKey.key, 'onnx');
    expect(onnx.status).toBe(200);
    expect(Buffer.from(await onnx.arrayBuffer()).length).toBeGreaterThan(1000);
    expect(JSON.parse(await (await artifact(viewerKey.key, 'features')).text())).toEqual(['temp', 'vib']);
    expect((await artifact(b.apiKey.key, 'onnx')).status).toBe(404);
    expect((await artifact(viewerKey.key, 'secrets')).status).toBe(404);
    expect((await artifact(null, 'onnx')).status).toBe(401);

    const listed = (await (await listJobs(jsonRequest('/api/v1/training/jobs', viewerKey.key))).json()) as {
      jobs: { id: string }[];
    };
    expect(listed.jobs.map((j) => j.id)).toContain(job.id);
    const experiments = (await (await getExperiments(jsonRequest('/api/v1/experiments', viewerKey.key))).json()) as {
      experiments: { name: string; runs: { state: string; metrics: Record<string, number> | null }[] }[];
    };
    const e = experiments.experiments.find((x) => x.name === 'Vehicle temps')!;
    expect(e.runs.some((r) => r.state === 'completed' && typeof r.metrics?.f1 === 'number')).toBe(true);
    const ofB = (await (await getExperiments(jsonRequest('/api/v1/experiments', b.apiKey.key))).json()) as {
      experiments: { name: string }[];
    };
    expect(ofB.experiments.map((x) => x.name)).not.toContain('Vehicle temps');
    expect((await getExperiments(jsonRequest('/api/v1/experiments', null))).status).toBe(401);
  }, 120_000);

  it('upload validation: bad options, bad rows and oversize files are clear 4xx errors', async () => {
    const opts = { name: 'x', groupColumn: 'vehicle', label: { type: 'none' } };
    const r1 = await uploadDataset(
      uploadRequest(a.apiKey.key, 'x.csv', 'vehicle,temp\nv1,abc\n', { ...opts, featureColumns: ['temp'] }),
    );
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { error: string }).error).toBe('line 2: column "temp" is not a number: abc');
    const r2 = await uploadDataset(
      uploadRequest(a.apiKey.key, 'x.csv', 'vehicle,temp\nv1,1\n', { groupColumn: 'vehicle' }),
    );
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['name', 'label']),
    );
    process.env.DATASET_UPLOAD_MAX_MB = '1';
    try {
      const big = `vehicle,temp\n${'v1,1.000000\n'.repeat(100_000)}`;
      expect((await uploadDataset(uploadRequest(a.apiKey.key, 'big.csv', big, opts))).status).toBe(413);
    } finally {
      delete process.env.DATASET_UPLOAD_MAX_MB;
    }
    const viewerKey = generateApiKey();
    await db.apiKey.create({
      data: { orgId: a.org.id, name: 'viewer2', prefix: viewerKey.prefix, hash: viewerKey.hash, role: 'viewer' },
    });
    expect((await uploadDataset(uploadRequest(viewerKey.key, 'x.csv', 'vehicle,temp\nv1,1\n', opts))).status).toBe(403);
  });
});
