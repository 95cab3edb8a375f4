/**
 * C-MAPSS FD001 remaining-useful-life training through the platform, printing one JSON object:
 * upload as a dataset (unit = group, RUL capped at 125), a 1D-CNN job on the pg-boss queue, run by a
 * trainer worker process with the default hyperparameters (RUL_CNN_DEFAULTS), registered as a model
 * version. Reports validation RMSE (split by unit), training time and queue-to-done time.
 *
 *   npm run bench -- training        (BENCH_EPOCHS overrides the epoch cap for a quick look)
 *
 * Uses DATABASE_URL and the object store of this checkout; the throwaway org is deleted at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CMAPSS_PRESET } from '~/server/contracts/training';
import { db } from '~/server/db';
import { createUploadDatasetVersion } from '~/server/training/datasets';
import { createTrainingJob } from '~/server/training/jobs';
import { stopSharedBoss } from '~/server/training/queue';
import { cmapssDir } from '~/workers/trainer/datasets/cmapss';

const tag = randomBytes(3).toString('hex');
const org = await db.organization.create({ data: { name: `bench ${tag}`, slug: `bench-training-${tag}` } });
const trainer = spawn(process.execPath, ['--import', 'tsx', 'workers/trainer/main.ts'], {
  env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', TRAINER_POLL_S: '0.5' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const trainerExit = new Promise<number | null>((r) => trainer.on('exit', (c) => r(c)));
try {
  const file = path.join(cmapssDir(), 'train_FD001.txt');
  const importStarted = performance.now();
  const version = await createUploadDatasetVersion(db, {
    orgId: org.id,
    fileName: 'train_FD001.txt',
    bytes: await readFile(file),
    options: {
      name: 'FD001',
      format: 'whitespace',
      columns: [...CMAPSS_PRESET.columns],
      groupColumn: 'unit',
      orderColumn: 'cycle',
      featureColumns: [...CMAPSS_PRESET.featureColumns],
      label: { type: 'rul', cap: 125 },
      groupKind: 'unit',
    },
  });
  const importSeconds = (performance.now() - importStarted) / 1000;
  const queued = performance.now();
  const epochs = process.env.BENCH_EPOCHS ? Number(process.env.BENCH_EPOCHS) : undefined;
  const job = await createTrainingJob(db, {
    orgId: org.id,
    request: {
      datasetVersionId: version.id,
      kind: 'cnn-regressor',
      experiment: 'FD001 RUL bench',
      params: epochs ? { epochs } : {},
      tags: ['bench'],
      maxAttempts: 1,
    },
  });
  let done = job;
  for (;;) {
    done = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    if (done.state === 'completed' || done.state === 'failed' || done.state === 'cancelled') break;
    if (trainer.exitCode !== null) throw new Error(`trainer exited with ${trainer.exitCode}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const queueToDoneSeconds = (performance.now() - queued) / 1000;
  if (done.state !== 'completed') throw new Error(`job ${done.state}: ${done.error}`);
  const run = await db.experimentRun.findUniqueOrThrow({ where: { id: done.experimentRunId! } });
  const m = run.metrics as Record<string, number>;
  const cpus = os.cpus();
  console.log(
    JSON.stringify({
      benchmark: 'training-cmapss-fd001-platform',
      backend: run.backend,
      validation: {
        rmse: Number(m.rmse!.toFixed(3)),
        mae: Number(m.mae!.toFixed(3)),
        windows: m.validationWindows,
        splitBy: 'unit',
      },
      train: { seconds: m.trainSeconds, epochs: m.epochs, bestEpoch: m.bestEpoch, windows: m.trainWindows },
      importSeconds: Number(importSeconds.toFixed(2)),
      queueToDoneSeconds: Number(queueToDoneSeconds.toFixed(1)),
      target: { rmse: 13, seconds: 300, met: m.rmse! <= 13 && queueToDoneSeconds < 300 },
      dataset: { rows: version.rowCount, units: version.groupCount, fingerprint: version.fingerprint },
      machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version },
    }),
  );
} finally {
  trainer.kill('SIGTERM');
  await trainerExit;
  // Training rows carry orgId without a foreign key (like the registry's): removed explicitly.
  const where = { where: { orgId: org.id } };
  await db
    .$transaction([
      db.experimentRun.deleteMany(where),
      db.trainingJob.deleteMany(where),
      db.experiment.deleteMany(where),
      db.datasetVersion.deleteMany(where),
      db.dataset.deleteMany(where),
      db.modelVersion.deleteMany(where),
      db.registeredModel.deleteMany(where),
      db.organization.deleteMany({ where: { id: org.id } }),
    ])
    .catch(() => undefined);
  await stopSharedBoss();
  await db.$disconnect();
}
