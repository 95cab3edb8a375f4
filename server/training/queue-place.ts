import type { PrismaClient } from '@prisma/client';

/**
 * Where a queued training job stands: its place among the organisation's queued jobs (oldest
 * first, as the trainers take them) and when it is expected to start.
 *
 * The estimate is deliberately simple and says so in the portal: the first queued job starts when
 * the soonest running job ends (its ETA), and each job ahead adds the median duration of the
 * org's recent finished jobs. Without a running job to wait for the job starts as soon as a trainer
 * polls; without history there is no estimate (null) rather than a made-up one.
 */
export function expectedStartInMs(o: {
  /** 1 = next to start. */
  position: number;
  /** ETAs (ms from now) of the org's running jobs; nulls are jobs without an ETA yet. */
  runningEtasMs: readonly (number | null)[];
  /** Durations (ms) of the org's recently finished jobs. */
  recentDurationsMs: readonly number[];
}): number | null {
  const median = medianOf(o.recentDurationsMs);
  if (o.runningEtasMs.length === 0) return o.position <= 1 ? 0 : median === null ? null : (o.position - 1) * median;
  const etas = o.runningEtasMs.filter((e): e is number => e !== null && Number.isFinite(e));
  const first = etas.length ? Math.max(0, Math.min(...etas)) : median;
  if (first === null) return null;
  if (o.position <= 1) return first;
  return median === null ? null : first + (o.position - 1) * median;
}

function medianOf(xs: readonly number[]): number | null {
  const s = xs.filter((x) => Number.isFinite(x) && x >= 0).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** How many recent finished jobs the median duration is taken over. */
const HISTORY = 20;

/** The queue place of one job of the org, or null when it is not queued. */
export async function queuePlace(
  db: PrismaClient,
  orgId: string,
  job: { id: string; state: string; createdAt: Date },
): Promise<{ position: number; queued: number; expectedStartInMs: number | null } | null> {
  if (job.state !== 'queued') return null;
  const [ahead, queued, running, recent] = await Promise.all([
    db.trainingJob.count({ where: { orgId, state: 'queued', createdAt: { lt: job.createdAt } } }),
    db.trainingJob.count({ where: { orgId, state: 'queued' } }),
    db.trainingJob.findMany({ where: { orgId, state: 'running' }, select: { etaMs: true }, take: 50 }),
    db.trainingJob.findMany({
      where: { orgId, state: 'completed', startedAt: { not: null }, finishedAt: { not: null } },
      orderBy: { finishedAt: 'desc' },
      select: { startedAt: true, finishedAt: true },
      take: HISTORY,
    }),
  ]);
  const position = ahead + 1;
  return {
    position,
    queued,
    expectedStartInMs: expectedStartInMs({
      position,
      runningEtasMs: running.map((r) => r.etaMs),
      recentDurationsMs: recent.map((r) => r.finishedAt!.getTime() - r.startedAt!.getTime()),
    }),
  };
}
