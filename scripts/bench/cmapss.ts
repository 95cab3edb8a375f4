/**
 * C-MAPSS FD001 remaining-useful-life benchmark: trains the 1D-CNN sequence regressor through the
 * same trainer modules the worker uses and prints one JSON object.
 *
 *   npx tsx scripts/bench/cmapss.ts
 *
 * CMAPSS_DIR overrides the data folder (default ../shared/datasets/cmapss beside the repo).
 * BENCH_EPOCHS, BENCH_SEED, BENCH_WINDOW, BENCH_BATCH and BENCH_HPARAMS (JSON merged into the model's
 * hyperparameters) override the defaults for experiments.
 */
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '~/workers/trainer/backend';
import { cmapssDir, cmapssRulDataset, DEFAULT_RUL_CAP, readCmapssFile } from '~/workers/trainer/datasets/cmapss';
import { datasetFingerprint } from '~/workers/trainer/datasets/fingerprint';
import { splitByGroup } from '~/workers/trainer/datasets/group-split';
import { selectWindows } from '~/workers/trainer/datasets/types';
import { slidingWindows } from '~/workers/trainer/datasets/windows';
import { mae, rmse } from '~/workers/trainer/metrics';
import { trainCnnRegressor, type CnnHyperparameters } from '~/workers/trainer/models/cnn-regressor';
import { predict } from '~/workers/trainer/models/predict';

// Compact CNN after Li, Ding and Sun (2018): few narrow tanh filters and a one-channel conv before
// Flatten. On this split it generalised as well as wider relu stacks (which overfit within a few
// epochs) at about half their epoch time.
const BENCH_HYPERPARAMETERS: CnnHyperparameters = {
  filters: [10, 10, 10, 10, 1],
  kernelSize: [10, 10, 10, 10, 3],
  activation: 'tanh',
  head: 'flatten',
  dense: [100],
  dropout: 0.5,
};

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : fallback;
}

async function main(): Promise<void> {
  const started = performance.now();
  const backend = await selectBackend();
  const file = path.join(cmapssDir(), 'train_FD001.txt');
  const data = cmapssRulDataset(await readCmapssFile(file));
  const fingerprint = datasetFingerprint({ columns: data.featureNames, rows: data.features, labels: data.rul, labelName: 'rul' });

  const seed = envInt('BENCH_SEED', 42);
  const windowLength = envInt('BENCH_WINDOW', 30);
  const windowed = slidingWindows(data.features, data.rul, data.units, windowLength);
  // Units, not windows, are split: neighbouring windows of one engine are nearly identical.
  const split = splitByGroup(windowed.groups, { validationFraction: 0.2, seed });
  const train = selectWindows(windowed.windows, split.train);
  const validation = selectWindows(windowed.windows, split.validation);
  const trainY = split.train.map((i) => windowed.labels[i]!);
  const validationY = split.validation.map((i) => windowed.labels[i]!);

  const maxEpochs = envInt('BENCH_EPOCHS', 60);
  const trained = await trainCnnRegressor({
    train,
    trainTargets: trainY,
    validation,
    validationTargets: validationY,
    featureNames: data.featureNames,
    targetName: 'rul',
    hyperparameters: { ...BENCH_HYPERPARAMETERS, ...JSON.parse(process.env.BENCH_HPARAMS ?? '{}') },
    fit: {
      epochs: maxEpochs,
      batchSize: envInt('BENCH_BATCH', 256),
      patience: 10,
      onEpoch: (r) => {
        if (process.env.BENCH_VERBOSE) {
          process.stderr.write(`epoch ${r.epoch} loss ${r.loss.toFixed(4)} val ${r.valLoss?.toFixed(4)} ${(r.elapsedMs / 1000).toFixed(1)}s eta ${(r.etaMs / 1000).toFixed(0)}s\n`);
        }
      },
    },
  });
  const predictions = predict(trained, validation).output;
  // Last window per validation unit: the point a maintenance planner acts on; its RUL is 0 in
  // run-to-failure training data, so it is reported for information only.
  const cpus = os.cpus();
  console.log(
    JSON.stringify({
      benchmark: 'cmapss-fd001-rul-cnn',
      backend: backend.backend,
      backendProvider: backend.provider,
      validation: {
        rmse: Number(rmse(validationY, predictions).toFixed(3)),
        mae: Number(mae(validationY, predictions).toFixed(3)),
        windows: validation.count,
        units: split.groups.validation.length,
      },
      train: {
        windows: train.count,
        units: split.groups.train.length,
        seconds: Number((trained.training.trainMs / 1000).toFixed(1)),
        epochs: trained.training.epochsRun,
        bestEpoch: trained.training.bestEpoch,
        stoppedEarly: trained.training.stoppedEarly,
      },
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      data: { file, fingerprint, features: data.featureNames.length, windowLength, rulCap: DEFAULT_RUL_CAP, seed },
      model: trained.hyperparameters,
      machine: {
        platform: `${os.platform()} ${os.arch()}`,
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        node: process.version,
      },
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
