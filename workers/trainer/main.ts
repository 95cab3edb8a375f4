import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { trainingProgressSchema, trainingQueuePayloadSchema, type TrainingProgress } from '~/server/contracts/training';
import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka, createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { typedProducer } from '~/server/kafka/typed';
import { logger } from '~/server/observability/logger';
import { objectStore } from '~/server/store/object-store';
import { trainingConfig } from '~/server/training/config';
import { createBoss, ensureQueue, retrainQueue, TRAINING_QUEUE } from '~/server/training/queue';
import { runScheduledRetrain } from '~/server/training/schedules';
import { driftAlertMessageSchema } from '~/server/contracts/drift';
import { startDriftJob } from '~/server/drift/job';
import { runWorker } from '~/server/worker/runtime';
import { selectBackend } from './backend';
import { JobLostError, progressOf, runTrainingJob, WorkerStoppingError } from './job-runner';
import { heartbeatEveryMs, reapStaleJobs } from './reaper';

/**
 * The trainer worker: takes training jobs from pg-boss one at a time (tfjs is CPU-bound, so one
 * job per copy; run more copies for more at once), streams progress on dl.training, and fires
 * the cron retraining schedules. SIGTERM stops the current training at the end of its batch and
 * hands the job back for a retry. Every copy also reaps the jobs of trainers that died without
 * SIGTERM (no heartbeat for TRAINING_STALE_S): see reaper.ts.
 */
const log = logger.child({ worker: 'trainer' });
const workerId = `${hostname()}:${process.pid}`;

await runWorker({
  name: 'trainer',
  stopTimeoutMs: 30_000,
  async start() {
    const config = trainingConfig();
    const backend = await selectBackend({ exclude: config.TRAINER_BACKEND_EXCLUDE });
    log.info(
      { backend: backend.backend, provider: backend.provider, attempts: backend.attempts },
      'tfjs backend selected',
    );
    const kafka = createKafka({ clientId: 'drivelab-trainer' });
    const producer = createProducer(kafka);
    await producer.connect();
    const progress = typedProducer(producer, TOPICS.training, trainingProgressSchema, {
      prefix: env.KAFKA_TOPIC_PREFIX,
    });
    // Progress is a view: a Kafka hiccup must not fail a training job whose state is in Postgres.
    const publish = async (p: TrainingProgress) => {
      await progress
        .send([{ key: p.jobId, value: p }])
        .catch((err: unknown) => log.warn({ err: (err as Error).message, jobId: p.jobId }, 'progress not published'));
    };

    const boss = createBoss({ supervise: true, schedule: true });
    await boss.start();
    await ensureQueue(boss, TRAINING_QUEUE);
    const stopping = new AbortController();
    let busy = false;

    const handle = async (job: PgBoss.JobWithMetadata<unknown>) => {
      const payload = trainingQueuePayloadSchema.safeParse(job.data);
      if (!payload.success) {
        // Not retryable: acknowledging keeps one malformed job from cycling through retries.
        log.error({ bossJobId: job.id, issues: payload.error.issues }, 'malformed training job payload; dropped');
        return;
      }
      const { jobId } = payload.data;
      busy = true;
      try {
        const outcome = await runTrainingJob(
          {
            db,
            store: objectStore(),
            backend,
            workerId,
            publish,
            stopping: stopping.signal,
            heartbeatMs: heartbeatEveryMs(config.TRAINING_STALE_S),
          },
          jobId,
        );
        log.info({ jobId, outcome }, 'training job done');
      } catch (err) {
        if (err instanceof JobLostError) {
          // Reaped while this trainer could not report: the row and a new queue job belong to
          // whoever retries it; acknowledging this queue job (cancelled by the reaper) is a no-op.
          log.warn({ jobId, bossJobId: job.id }, 'training job taken over after a stale heartbeat; dropped here');
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        const attempt =
          (await db.trainingJob.findUnique({ where: { id: jobId }, select: { attempts: true } }))?.attempts ??
          job.retryCount + 1;
        if (err instanceof WorkerStoppingError) {
          // Not the job's fault: it goes back on the queue with the retries it had left.
          const bossJobId = await boss.send(TRAINING_QUEUE, payload.data, {
            retryLimit: Math.max(0, job.retryLimit - job.retryCount),
            retryDelay: 0,
            expireInSeconds: job.expireInSeconds,
          });
          const row = await db.trainingJob.update({
            where: { id: jobId },
            data: {
              state: 'queued',
              bossJobId,
              error: `attempt ${attempt} interrupted: the trainer stopped; requeued`,
              progress: 0,
              epoch: 0,
            },
          });
          await publish(progressOf(row, { state: 'queued', error: row.error, attempt }));
          log.warn({ jobId, attempt }, 'training interrupted by shutdown; requeued');
          return;
        }
        const final = job.retryCount >= job.retryLimit;
        log.error({ err, jobId, attempt, final }, 'training job failed');
        const row = await db.trainingJob.update({
          where: { id: jobId },
          data: final
            ? { state: 'failed', error: message.slice(0, 2000), finishedAt: new Date() }
            : { state: 'queued', error: `attempt ${attempt} failed: ${message}`.slice(0, 2000), progress: 0, epoch: 0 },
        });
        await publish(progressOf(row, { state: row.state, error: row.error ?? message, attempt }));
        throw err;
      } finally {
        busy = false;
      }
    };
    await boss.work(
      TRAINING_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.TRAINER_POLL_S },
      async (jobs) => {
        for (const job of jobs) await handle(job);
      },
    );

    // Each retraining schedule has its own queue; new schedules are picked up within a minute.
    const watched = new Set<string>();
    const watchSchedules = async () => {
      const rows = await db.retrainSchedule.findMany({ where: { enabled: true }, select: { id: true } });
      for (const { id } of rows) {
        const queue = retrainQueue(id);
        if (watched.has(queue)) continue;
        watched.add(queue);
        await ensureQueue(boss, queue, { retryLimit: 0 });
        await boss.work(queue, { batchSize: 1 }, async () => {
          const job = await runScheduledRetrain(db, id, boss);
          log.info({ scheduleId: id, jobId: job?.id }, 'scheduled retraining queued');
        });
      }
    };
    await watchSchedules();
    // Jobs whose trainer died (no heartbeat for TRAINING_STALE_S while the queue job is active)
    // go back on the queue as a failed attempt, or fail on their last one; rows left running
    // after pg-boss ended their queue job are failed. One scan at a time per copy.
    let reaping = false;
    const reap = async () => {
      if (reaping) return;
      reaping = true;
      try {
        await reapStaleJobs({ db, boss, publish, staleS: config.TRAINING_STALE_S });
      } finally {
        reaping = false;
      }
    };
    const timer = setInterval(() => {
      void watchSchedules().catch((err: unknown) => log.warn({ err }, 'schedule scan failed'));
      void reap().catch((err: unknown) => log.warn({ err }, 'stale job scan failed'));
    }, config.TRAINER_SCHEDULE_SCAN_S * 1000);
    // Drift checks of closed serving windows, every minute (server/drift/job.ts); alerts on dl.alerts.
    const driftAlerts = typedProducer(producer, TOPICS.alerts, driftAlertMessageSchema, {
      prefix: env.KAFKA_TOPIC_PREFIX,
    });
    await startDriftJob(boss, db, {
      store: objectStore(),
      publishAlert: (a) => driftAlerts.send([{ key: a.modelId, value: a }]),
    });
    log.info({ workerId, queue: TRAINING_QUEUE }, 'trainer ready');

    return {
      ready: () => true,
      async stop() {
        clearInterval(timer);
        stopping.abort();
        // Running training stops at its next batch; the handler hands the job back for a retry.
        await boss.stop({ graceful: true, wait: true, timeout: busy ? 20_000 : 5_000 });
        await producer.disconnect();
        await db.$disconnect();
      },
    };
  },
});
