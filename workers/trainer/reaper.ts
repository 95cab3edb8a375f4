import type { PrismaClient, TrainingJob } from '@prisma/client';
import type PgBoss from 'pg-boss';
import type { TrainingProgress } from '~/server/contracts/training';
import { logger } from '~/server/observability/logger';
import { TRAINING_QUEUE } from '~/server/training/queue';
import { progressOf } from './job-runner';

/**
 * Dead trainers. A trainer writes its job row's heartbeatAt at the claim, every epoch and on a
 * timer (heartbeatEveryMs), so a row whose heartbeat is older than TRAINING_STALE_S while its
 * pg-boss job is still active belongs to a trainer that was killed (SIGKILL, OOM, lost machine) or
 * can no longer reach Postgres. Every live trainer reaps such jobs: the attempt counts as failed
 * and the job goes back on the queue at once (after the retry delay) instead of after pg-boss'
 * expiry (TRAINING_JOB_EXPIRE_S); on its last attempt the job fails.
 */
const log = logger.child({ worker: 'trainer', part: 'reaper' });

/** How often a running job writes its heartbeat: a quarter of the stale window, at most a minute. */
export function heartbeatEveryMs(staleS: number): number {
  return Math.max(1000, Math.min(60_000, Math.floor((staleS * 1000) / 4)));
}

export const stoppedRespondingError = (attempt: number) =>
  `the trainer running this job stopped responding (attempt ${attempt})`;

export type StaleJobAction =
  /** Alive, still waiting on the queue, or not stale (yet). */
  | { action: 'skip' }
  /** The trainer died and retries are left: the attempt counts as failed, the job is queued again. */
  | { action: 'retry'; retriesLeft: number }
  /** The trainer died on the last attempt. */
  | { action: 'fail' }
  /** The queue job is already over (pg-boss expired or failed it) but the row was left behind. */
  | { action: 'close' };

type BossJobView = Pick<PgBoss.JobWithMetadata, 'state' | 'startedOn' | 'retryCount' | 'retryLimit'>;

/**
 * What to do with a job row whose heartbeat may be stale, given its pg-boss job (null: gone).
 * A pg-boss job that became active less than the stale window ago is left alone whatever the
 * row says: the trainer that took it claims the row (and writes a heartbeat) right away, so
 * only a trainer dead for the whole window is reaped, and never an attempt that pg-boss retried
 * in the meantime.
 */
export function staleJobAction(
  row: Pick<TrainingJob, 'state' | 'heartbeatAt'>,
  boss: BossJobView | null,
  nowMs: number,
  staleS: number,
): StaleJobAction {
  const cutoff = nowMs - staleS * 1000;
  if (row.state !== 'running' && row.state !== 'queued') return { action: 'skip' };
  if (!row.heartbeatAt || row.heartbeatAt.getTime() >= cutoff) return { action: 'skip' };
  if (!boss || boss.state === 'failed' || boss.state === 'cancelled' || boss.state === 'completed')
    return { action: 'close' };
  if (boss.state !== 'active') return { action: 'skip' };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- null until pg-boss starts the job
  if (!boss.startedOn || boss.startedOn.getTime() >= cutoff) return { action: 'skip' };
  const retriesLeft = boss.retryLimit - boss.retryCount;
  return retriesLeft > 0 ? { action: 'retry', retriesLeft: retriesLeft - 1 } : { action: 'fail' };
}

export interface ReapDeps {
  db: PrismaClient;
  boss: PgBoss;
  publish: (p: TrainingProgress) => Promise<void>;
  staleS: number;
}

export interface Reaped {
  jobId: string;
  action: 'retry' | 'fail' | 'close';
  attempt: number;
  bossJobId: string | null;
}

/**
 * One scan. Several trainers may scan at once: the row is taken over with a conditional update
 * (same state, heartbeat and pg-boss id as read), so exactly one of them acts on a dead job.
 */
export async function reapStaleJobs(deps: ReapDeps, nowMs = Date.now()): Promise<Reaped[]> {
  const { db, boss, staleS } = deps;
  const rows = await db.trainingJob.findMany({
    where: {
      state: { in: ['running', 'queued'] },
      heartbeatAt: { lt: new Date(nowMs - staleS * 1000) },
      bossJobId: { not: null },
    },
    orderBy: { heartbeatAt: 'asc' },
    take: 50,
  });
  const reaped: Reaped[] = [];
  for (const r of rows) {
    const q = await boss.getJobById(TRAINING_QUEUE, r.bossJobId!, { includeArchive: true });
    const decision = staleJobAction(r, q, Date.now(), staleS);
    if (decision.action === 'skip') continue;
    // A row still queued with an active queue job was never claimed by the attempt that died (it
    // died between taking the queue job and claiming the row): that attempt is counted here.
    const attempt = r.state === 'queued' && decision.action !== 'close' ? r.attempts + 1 : r.attempts;
    const error = stoppedRespondingError(attempt);
    const final = decision.action !== 'retry';
    const now = new Date();
    const taken = await db.trainingJob.updateMany({
      where: { id: r.id, state: r.state, heartbeatAt: r.heartbeatAt, bossJobId: r.bossJobId },
      data: final
        ? { state: 'failed', attempts: attempt, error, finishedAt: now, etaMs: null }
        : // The heartbeat moves to now: were the queue calls below to fail, the row is looked at
          // again one stale window later (its pg-boss job still active) rather than never.
          { state: 'queued', attempts: attempt, error, progress: 0, epoch: 0, etaMs: null, heartbeatAt: now },
    });
    if (taken.count === 0) continue; // another trainer reaped it, or the trainer was alive after all
    if (r.experimentRunId) {
      await db.experimentRun.updateMany({
        where: { id: r.experimentRunId, state: 'running' },
        data: { state: 'failed', error, finishedAt: now },
      });
    }
    let bossJobId: string | null = r.bossJobId;
    if (decision.action === 'fail') {
      // On the last attempt (retryCount = retryLimit) pg-boss' fail moves the job to failed.
      await boss.fail(TRAINING_QUEUE, r.bossJobId!, { message: error });
    } else if (decision.action === 'retry') {
      // Not pg-boss' fail: that retries the same job id, which the dead attempt (if it were only
      // paused, or cut off from Postgres) could still complete or fail later. The old job is
      // cancelled and a new one carries the retries left; the row points at it.
      await boss.cancel(TRAINING_QUEUE, r.bossJobId!);
      bossJobId = await boss.send(TRAINING_QUEUE, q!.data as object, {
        retryLimit: decision.retriesLeft,
        retryDelay: q!.retryDelay,
        retryBackoff: q!.retryBackoff,
        startAfter: q!.retryDelay,
        // pg-boss reads it with EXTRACT(epoch …): a numeric, which pg returns as a string despite the type.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion
        expireInSeconds: Number(q!.expireInSeconds),
      });
      if (bossJobId)
        await db.trainingJob.updateMany({ where: { id: r.id, bossJobId: r.bossJobId }, data: { bossJobId } });
    }
    log.warn(
      {
        jobId: r.id,
        attempt,
        action: decision.action,
        bossJobId: r.bossJobId,
        newBossJobId: bossJobId,
        heartbeatAt: r.heartbeatAt,
      },
      'trainer stopped responding; job reaped',
    );
    await deps.publish(progressOf({ ...r, attempts: attempt }, { state: final ? 'failed' : 'queued', error, attempt }));
    reaped.push({ jobId: r.id, action: decision.action, attempt, bossJobId });
  }
  return reaped;
}
