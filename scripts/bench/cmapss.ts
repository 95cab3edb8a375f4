/**
 * C-MAPSS FD001 remaining-useful-life benchmark: trains the 1D-CNN sequence regressor through the
 * same trainer modules the worker uses and prints one JSON object.
 *
 *   npx tsx scripts/bench/cmapss.ts
 *
 * CMAPSS_DIR overrides the data folder (default ../shared/datasets/cmapss beside the repo).
 * The configuration is the platform's RUL_CNN_DEFAULTS (workers/trainer/presets.ts). For experiments,
 * BENCH_EPOCHS, BENCH_SEED (split seed), BENCH_WINDOW, BENCH_BATCH, BENCH_PATIENCE, BENCH_LR_DECAY,
 * BENCH_SMOOTH (smoothing alpha; 1 = raw), BENCH_CYCLE (1/0) and BENCH_HPARAMS (JSON merged into the
 * model's hyperparameters) override them. The validation set is every window of the held-out units.
 */
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '~/workers/trainer/backend';
import { DEFAULT_RUL_CAP } from '~/server/training/rul';
import { cmapssDir, cmapssRulDataset, readCmapssFile } from '~/workers/trainer/datasets/cmapss';
import { datasetFingerprint } from '~/server/training/fingerprint';
import { splitByGroup } from '~/workers/trainer/datasets/group-split';
import { selectWindows } from '~/workers/trainer/datasets/types';
import { slidingWindows } from '~/workers/trainer/datasets/windows';
import { mae, rmse } from '~/workers/trainer/metrics';
import { trainCnnRegressor } from '~/workers/trainer/models/cnn-regressor';
import { predict } from '~/workers/trainer/models/predict';
import { RUL_CNN_DEFAULTS } from '~/workers/trainer/presets';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : fallback;
}

function envNum(name: string, fallback: number | undefined): number | undefined {
  const v = process.env[name];
  return v ? Number(v) : fallback;
}

async function main(): Promise<void> {
  const started = performance.now();
  const backend = await selectBackend();
  const file = path.join(cmapssDir(), 'train_FD001.txt');
  const defaults = RUL_CNN_DEFAULTS;
  const smoothing = envNum('BENCH_SMOOTH', defaults.dataset.smoothing)!;
  const includeCycle = process.env.BENCH_CYCLE ? process.env.BENCH_CYCLE === '1' : defaults.dataset.includeCycle;
  const data = cmapssRulDataset(await readCmapssFile(file), { smoothing, includeCycle });
  const fingerprint = datasetFingerprint({
    columns: data.featureNames,
    rows: data.features,
    labels: data.rul,
    labelName: 'rul',
  });

  const seed = envInt('BENCH_SEED', defaults.splitSeed);
  const windowLength = envInt('BENCH_WINDOW', defaults.windowLength);
  const windowed = slidingWindows(data.features, data.rul, data.units, windowLength, 1, defaults.windows);
  // Units, not windows, are split: neighbouring windows of one engine are nearly identical.
  const split = splitByGroup(windowed.groups, { validationFraction: defaults.validationFraction, seed });
  const train = selectWindows(windowed.windows, split.train);
  const validation = selectWindows(windowed.windows, split.validation);
  const trainY = split.train.map((i) => windowed.labels[i]!);
  const validationY = split.validation.map((i) => windowed.labels[i]!);

  const maxEpochs = envInt('BENCH_EPOCHS', defaults.fit.epochs);
  const trained = await trainCnnRegressor({
    train,
    trainTargets: trainY,
    validation,
    validationTargets: validationY,
    featureNames: data.featureNames,
    targetName: 'rul',
    hyperparameters: {
      ...defaults.hyperparameters,
      ...(JSON.parse(process.env.BENCH_HPARAMS ?? '{}') as Partial<typeof defaults.hyperparameters>),
    },
    fit: {
      epochs: maxEpochs,
      batchSize: envInt('BENCH_BATCH', defaults.fit.batchSize),
      patience: envInt('BENCH_PATIENCE', defaults.fit.patience),
      learningRateDecay: envNum('BENCH_LR_DECAY', defaults.fit.learningRateDecay),
      onEpoch: (r) => {
        if (process.env.BENCH_VERBOSE) {
          process.stderr.write(
            `epoch ${r.epoch} loss ${r.loss.toFixed(4)} val ${r.valLoss?.toFixed(4)} ${(r.elapsedMs / 1000).toFixed(1)}s eta ${(r.etaMs / 1000).toFixed(0)}s\n`,
          );
        }
      },
    },
  });
  const predictions = predict(trained, validation).output;
  // Last window per validation unit: the point a maintenance planner acts on; its RUL is 0 in
  // run-to-failure training data, so rmseLastWindow (20 values) is reported for information only.
  const lastOfUnit = new Map<string, number>();
  split.validation.forEach((w, k) => {
    const g = windowed.groups[w]!;
    const prev = lastOfUnit.get(g);
    if (prev === undefined || windowed.endRows[w]! > windowed.endRows[split.validation[prev]!]!) lastOfUnit.set(g, k);
  });
  const lastK = [...lastOfUnit.values()];
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
        rmseLastWindow: Number(
          rmse(
            lastK.map((k) => validationY[k]!),
            lastK.map((k) => predictions[k]!),
          ).toFixed(3),
        ),
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
      data: {
        file,
        fingerprint,
        features: data.featureNames.length,
        windowLength,
        rulCap: DEFAULT_RUL_CAP,
        seed,
        smoothing,
        includeCycle,
      },
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
