import PgBoss from 'pg-boss';
import { env } from '../env';
import { trainingConfig } from './config';
import { childLogger } from '../observability/logger';

const log = childLogger('training-queue');

/** The pg-boss queue the trainer workers take jobs from. */
export const TRAINING_QUEUE = 'dl-training';
/** Cron retraining: one pg-boss queue (and schedule) per RetrainSchedule row. */
export const retrainQueue = (scheduleId: string) => `dl-retrain-${scheduleId}`;

export interface BossOptions {
  /** Maintenance (expiring jobs whose worker died) and cron: the trainer runs them, the web does not. */
  supervise?: boolean;
  schedule?: boolean;
}

export function createBoss(options: BossOptions = {}): PgBoss {
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: 'pgboss',
    max: 4,
    supervise: options.supervise ?? false,
    schedule: options.schedule ?? false,
    // How often the cron monitor looks for due schedules, and the worker for what it queued.
    cronMonitorIntervalSeconds: trainingConfig().TRAINER_CRON_MONITOR_S,
    cronWorkerIntervalSeconds: trainingConfig().TRAINER_CRON_WORKER_S,
    application_name: 'drivelab-training',
  });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  return boss;
}

/** Creates a queue unless it exists (pg-boss 10 refuses to create one twice). */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'> = {}): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, { name, ...options });
  } catch (err) {
    if (!(await boss.getQueue(name))) throw err;
  }
}

const globalForBoss = globalThis as typeof globalThis & { drivelabBoss?: Promise<PgBoss> };

/**
 * The web process' pg-boss client (sending and cancelling only), started on first use and kept on
 * globalThis because Next.js route bundles and server.ts load this module separately.
 */
export function sharedBoss(): Promise<PgBoss> {
  if (!globalForBoss.drivelabBoss) {
    const boss = createBoss();
    globalForBoss.drivelabBoss = boss
      .start()
      .then(() => ensureQueue(boss, TRAINING_QUEUE))
      .then(
        () => boss,
        (err: unknown) => {
          globalForBoss.drivelabBoss = undefined;
          throw err;
        },
      );
  }
  return globalForBoss.drivelabBoss;
}

export async function stopSharedBoss(): Promise<void> {
  const p = globalForBoss.drivelabBoss;
  globalForBoss.drivelabBoss = undefined;
  if (p) await (await p).stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
}
