import { z } from 'zod';

/**
 * Training settings from the environment (web and trainer), validated with defaults. Read per use
 * rather than once, so a process (or a test) that changes one sees it at the next job.
 */
const seconds = (def: number, min = 0, max = 7 * 24 * 3600) => z.coerce.number().min(min).max(max).default(def);

const schema = z.object({
  // Pause before pg-boss retries a failed attempt.
  TRAINING_RETRY_DELAY_S: seconds(5),
  // Backstop: pg-boss releases a job still active this long (a dead trainer's job is normally
  // reaped after TRAINING_STALE_S).
  TRAINING_JOB_EXPIRE_S: seconds(3600, 60),
  // A job row whose heartbeat is this old belongs to a dead trainer: while its queue job is
  // active, another trainer retries it (a failed attempt); once the queue job is over, the row is
  // failed. Trainers write the heartbeat every epoch and every quarter of this (workers/trainer/reaper.ts).
  TRAINING_STALE_S: seconds(600, 10),
  DATASET_UPLOAD_MAX_MB: z.coerce.number().min(0.001).max(10_000).default(50),
  TRAINER_POLL_S: seconds(1, 0.5, 600),
  TRAINER_SCHEDULE_SCAN_S: seconds(30, 1, 3600),
  TRAINER_CRON_MONITOR_S: seconds(30, 1, 45),
  TRAINER_CRON_WORKER_S: seconds(5, 1, 45),
  // Comma-separated backends the trainer must not use: native, webgpu, wasm.
  TRAINER_BACKEND_EXCLUDE: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['native', 'webgpu', 'wasm']))),
});

export type TrainingConfig = z.infer<typeof schema>;

export function trainingConfig(source: Record<string, string | undefined> = process.env): TrainingConfig {
  return schema.parse(
    Object.fromEntries(Object.entries(source).filter(([k, v]) => k in schema.shape && v !== undefined && v !== '')),
  );
}
