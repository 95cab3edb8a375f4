import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingJobRequestSchema, type TrainingProgress } from '~/server/contracts/training';
import { db } from '~/server/db';
import { objectStore } from '~/server/store/object-store';
import { cancelTrainingJob, createTrainingJob } from '~/server/training/jobs';
import { createBoss, ensureQueue, stopSharedBoss, TRAINING_QUEUE } from '~/server/training/queue';
import { selectBackend, type BackendChoice } from '~/workers/trainer/backend';
import { runTrainingJob } from '~/workers/trainer/job-runner';
import { heartbeatEveryMs, reapStaleJobs, type Reaped } from '~/workers/trainer/reaper';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';
import { spawnTrainer, startAutoencoderJob, uploadLabelledVehicles, waitForJob } from '../helpers/training';

/**
 * Trainers that die without SIGTERM: a job whose trainer stops sending heartbeats while its pg-boss
 * job is still active is retried by another trainer after TRAINING_STALE_S (10 s here), not after
 * pg-boss' one-hour expiry; a live trainer with a slow epoch keeps its job.
 */
const STALE_S = 10;
const trainerEnv = { TRAINING_STALE_S: String(STALE_S), TRAINER_SCHEDULE_SCAN_S: '1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('training jobs whose trainer dies (SIGKILL) are reaped by a live trainer', () => {
  let a: OrgFixture;
  let versionId: string;
  let boss: PgBoss;
  const trainers: ReturnType<typeof spawnTrainer>[] = [];

  beforeAll(async () => {
    process.env.TRAINING_RETRY_DELAY_S = '1';
    a = await makeOrg('reap-a');
    versionId = await uploadLabelledVehicles(a.apiKey.key, 'Reaped temps');
    boss = createBoss();
    await boss.start();
    await ensureQueue(boss, TRAINING_QUEUE);
    // Files share one database: jobs earlier files queued and left (no trainer ran for them) would
    // be fetched here instead of this file's own. Take them off the queue first.
    for (;;) {
      const stale = await boss.fetch(TRAINING_QUEUE, { batchSize: 100 });
      if (stale.length === 0) break;
      await boss.deleteJob(
        TRAINING_QUEUE,
        stale.map((j) => j.id),
      );
    }
  });
  afterAll(async () => {
    for (const t of trainers)
      if (t.child.exitCode === null && t.child.signalCode === null) expect(await t.stop()).toBe(0);
    await boss.stop({ graceful: false, close: true, wait: true });
    await stopSharedBoss();
  });

  it('a live trainer whose epoch takes longer than TRAINING_STALE_S keeps its job', async () => {
    // The trainer's own path in this process: the queue job taken as a trainer takes it, then an
    // epoch report that takes 2.5 stale windows (publish blocks), while a reaper scans every second.
    const request = trainingJobRequestSchema.parse({
      datasetVersionId: versionId,
      kind: 'autoencoder',
      modelName: 'Slow epochs',
      params: { epochs: 3, patience: 3, batchSize: 32 },
    });
    const job = await createTrainingJob(db, { orgId: a.org.id, request }, boss);
    const [taken] = await boss.fetch(TRAINING_QUEUE, { batchSize: 1 });
    expect(taken?.id, 'another training job was waiting on the test queue').toBe(job.bossJobId);

    const backend: BackendChoice = await selectBackend({ exclude: ['native', 'webgpu'] });
    const published: TrainingProgress[] = [];
    let slowEpochMs = 0;
    const publish = async (p: TrainingProgress) => {
      published.push(p);
      if (p.state === 'running' && p.epoch === 1) {
        const started = Date.now();
        await sleep(STALE_S * 2500);
        slowEpochMs = Date.now() - started;
      }
    };
    const reaped: Reaped[] = [];
    let scanning = true;
    const reaper = (async () => {
      while (scanning) {
        reaped.push(...(await reapStaleJobs({ db, boss, publish: async () => undefined, staleS: STALE_S })));
        await sleep(1000);
      }
    })();
    try {
      const outcome = await runTrainingJob(
        {
          db,
          store: objectStore(),
          backend,
          workerId: 'slow-but-alive:1',
          publish,
          stopping: new AbortController().signal,
          heartbeatMs: heartbeatEveryMs(STALE_S),
        },
        job.id,
      );
      expect(outcome).toBe('completed');
    } finally {
      scanning = false;
      await reaper;
    }
    expect(slowEpochMs).toBeGreaterThan(STALE_S * 2000);
    expect(reaped.filter((r) => r.jobId === job.id)).toEqual([]);
    const done = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(done).toMatchObject({ state: 'completed', attempts: 1, error: null, bossJobId: job.bossJobId, epoch: 3 });
    expect(published.map((p) => p.state)).toEqual(['running', 'running', 'running', 'running', 'completed']);
    // Its queue job was never taken away: still active, completed here as pg-boss' worker would.
    expect((await boss.getJobById(TRAINING_QUEUE, job.bossJobId!))?.state).toBe('active');
    await boss.complete(TRAINING_QUEUE, job.bossJobId!);
  }, 120_000);

  it('trainers reaping the same dead job at once retry it once', async () => {
    const request = trainingJobRequestSchema.parse({
      datasetVersionId: versionId,
      kind: 'autoencoder',
      modelName: 'Slow epochs',
      params: { epochs: 3 },
      maxAttempts: 3,
    });
    const job = await createTrainingJob(db, { orgId: a.org.id, request }, boss);
    const [taken] = await boss.fetch(TRAINING_QUEUE, { batchSize: 1 });
    expect(taken?.id, 'another training job was waiting on the test queue').toBe(job.bossJobId);
    // A trainer took and claimed it a minute ago, then died.
    await db.trainingJob.update({
      where: { id: job.id },
      data: { state: 'running', attempts: 1, workerId: 'dead:1', heartbeatAt: new Date(Date.now() - 60_000) },
    });
    await db.$executeRaw`UPDATE pgboss.job SET started_on = now() - interval '1 minute' WHERE name = ${TRAINING_QUEUE} AND id = ${job.bossJobId}::uuid`;

    const scans = await Promise.all(
      [1, 2, 3].map(() => reapStaleJobs({ db, boss, publish: async () => undefined, staleS: STALE_S })),
    );
    const mine = scans.flat().filter((r) => r.jobId === job.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ action: 'retry', attempt: 1 });
    const row = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({
      state: 'queued',
      attempts: 1,
      error: 'the trainer running this job stopped responding (attempt 1)',
      bossJobId: mine[0]!.bossJobId,
    });
    const queueJobs = await db.$queryRaw<
      { id: string; state: string; retry_limit: number }[]
    >`SELECT id::text, state::text, retry_limit FROM pgboss.job WHERE name = ${TRAINING_QUEUE} AND data->>'jobId' = ${job.id}`;
    // The dead attempt's queue job cancelled, one new one with a retry fewer (3 attempts: 1 failed, 2 left).
    expect(queueJobs.sort((x, y) => (x.id === job.bossJobId ? -1 : y.id === job.bossJobId ? 1 : 0))).toEqual([
      { id: job.bossJobId, state: 'cancelled', retry_limit: 2 },
      { id: row.bossJobId, state: 'created', retry_limit: 1 },
    ]);
    expect((await cancelTrainingJob(db, a.org.id, job.id, boss))?.state).toBe('cancelled');
  });

  it('SIGKILL mid-job: another trainer retries the job within seconds, as attempt 2, and it completes', async () => {
    const job = await startAutoencoderJob(a, versionId, 'Reaped temps detector', {
      epochs: 40,
      batchSize: 1,
      maxAttempts: 2,
    });
    const first = spawnTrainer(trainerEnv);
    trainers.push(first);
    await waitForJob(job.id, (j) => j.state === 'running' && j.epoch >= 2, 120_000);
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await first.exited;
    const running = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(running).toMatchObject({ state: 'running', attempts: 1 });

    trainers.push(spawnTrainer(trainerEnv));
    await waitForJob(job.id, (j) => j.attempts === 2 && j.state === 'running', 60_000);
    const pickedUpMs = Date.now() - killedAt;
    console.info(
      `[training-reap] job picked up again ${(pickedUpMs / 1000).toFixed(1)} s after SIGKILL (TRAINING_STALE_S=${STALE_S})`,
    );
    // Far below pg-boss' expiry (TRAINING_JOB_EXPIRE_S, an hour): the stale window plus a scan,
    // the retry delay and the new trainer's start-up.
    expect(pickedUpMs).toBeLessThan(60_000);

    const done = await waitForJob(job.id, (j) => j.state === 'completed' || j.state === 'failed', 90_000);
    expect(done).toMatchObject({ state: 'completed', attempts: 2 });
    const row = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    // The dead attempt's queue job was cancelled; a new one carried the retry.
    expect(row.bossJobId).not.toBe(running.bossJobId);
    expect((await boss.getJobById(TRAINING_QUEUE, running.bossJobId!, { includeArchive: true }))?.state).toBe(
      'cancelled',
    );
    expect(await boss.getJobById(TRAINING_QUEUE, row.bossJobId!, { includeArchive: true })).toMatchObject({
      state: 'completed',
      retryLimit: 0,
    });
    const runs = await db.experimentRun.findMany({ where: { jobId: job.id }, orderBy: { startedAt: 'asc' } });
    expect(runs.map((r) => r.state)).toEqual(['failed', 'completed']);
    expect(runs[0]!.error).toBe('the trainer running this job stopped responding (attempt 1)');
  }, 300_000);

  it('SIGKILL on the last attempt: the job fails with the reason instead of staying running', async () => {
    const job = await startAutoencoderJob(a, versionId, 'Reaped temps detector', {
      epochs: 1000,
      batchSize: 8,
      maxAttempts: 1,
    });
    const live = trainers.at(-1)!;
    const running = await waitForJob(job.id, (j) => j.state === 'running' && j.epoch >= 1, 120_000);
    const killedAt = Date.now();
    live.child.kill('SIGKILL');
    await live.exited;
    trainers.push(spawnTrainer(trainerEnv));
    const failed = await waitForJob(job.id, (j) => j.state !== 'running', 60_000);
    console.info(`[training-reap] last attempt failed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after SIGKILL`);
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: 'the trainer running this job stopped responding (attempt 1)',
    });
    expect(failed.bossJobId).toBe(running.bossJobId);
    expect((await boss.getJobById(TRAINING_QUEUE, running.bossJobId!, { includeArchive: true }))?.state).toBe('failed');
    const runs = await db.experimentRun.findMany({ where: { jobId: job.id } });
    expect(runs.map((r) => r.state)).toEqual(['failed']);
    // Not retried: the job stays failed while the new trainer keeps scanning.
    await sleep(3000);
    expect((await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } })).state).toBe('failed');
  }, 180_000);
});
