import type { TrainingParams } from '~/server/contracts/training';
import { TRAINING_DEFAULTS } from '~/server/training/defaults';
import type { MaterialisedDataset } from '~/server/training/materialised';
import { selectRows, selectWindows, type Matrix } from './datasets/types';
import {
  binaryEvaluation,
  delayMetrics,
  detectionDelays,
  multiclassEvaluation,
  regressionEvaluation,
  type Metrics,
} from './evaluate';
import { trainAutoencoder } from './models/autoencoder';
import { trainCnnRegressor } from './models/cnn-regressor';
import { trainMlpClassifier } from './models/mlp-classifier';
import { trainMlpRegressor } from './models/mlp-regressor';
import { predict, predictedClasses } from './models/predict';
import type { ModelKind, TrainedModel } from './models/types';
import { prepareSequences, prepareTabular, splitPlan } from './prepare';
import { RUL_CNN_DEFAULTS } from './presets';
import { versionReference, type VersionReference } from './reference';
import type { FitOptions } from './training';

/**
 * One model kind from a dataset to a trained, evaluated model. Everything I/O-free: the job runner
 * passes progress and cancellation in through `fit`.
 */
export interface KindResult {
  trained: TrainedModel;
  metrics: Metrics;
  /** What serving must do before the ONNX graph (which standardises by itself). */
  preprocessing: Record<string, unknown>;
  split: { train: string[]; validation: string[]; test: string[]; evaluatedOn: 'test' | 'validation' };
  inputShape: number[];
  outputShape: number[];
  /** Training sample, its scores and permutation importance (row models only). */
  reference?: VersionReference | null;
}

function fitOptions(
  kind: ModelKind,
  p: TrainingParams,
  hooks: Pick<FitOptions, 'onEpoch' | 'signal'>,
): Partial<FitOptions> {
  const d = TRAINING_DEFAULTS[kind];
  const decay = p.learningRateDecay ?? ('learningRateDecay' in d ? d.learningRateDecay : undefined);
  return {
    epochs: p.epochs ?? d.epochs,
    batchSize: p.batchSize ?? d.batchSize,
    patience: p.patience ?? d.patience,
    ...(decay !== undefined ? { learningRateDecay: decay } : {}),
    shuffleSeed: p.seed ?? 42,
    ...hooks,
  };
}

const labelsOf = (d: MaterialisedDataset, rows: readonly number[]) => rows.map((r) => d.labels[r]!);

/** MLP classifier and regressor share their hyperparameters. */
function mlpHyperparameters(p: TrainingParams) {
  return {
    ...(p.hidden ? { hidden: p.hidden } : {}),
    ...(p.activation ? { activation: p.activation } : {}),
    ...(p.dropout !== undefined ? { dropout: p.dropout } : {}),
    ...(p.l2 !== undefined ? { l2: p.l2 } : {}),
    ...(p.learningRate !== undefined ? { learningRate: p.learningRate } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
  };
}

/** Fault onset → detection for binary detectors on offline datasets (empty when the dataset has no fault intervals). */
function detectionDelayMetrics(
  d: MaterialisedDataset,
  evalIdx: readonly number[],
  flagged: (k: number) => boolean,
): Metrics {
  if (!d.segments || !d.faults || !d.windowSize) return {};
  const rows = evalIdx.map((r, k) => ({ segment: d.segments![r]!, t: d.order[r]!, flagged: flagged(k) }));
  return delayMetrics(detectionDelays(rows, d.faults, d.windowSize));
}

export async function trainKind(
  kind: ModelKind,
  d: MaterialisedDataset,
  p: TrainingParams,
  hooks: Pick<FitOptions, 'onEpoch' | 'signal'>,
): Promise<KindResult> {
  const plan = splitPlan(kind, new Set(d.groups).size, p);
  const fit = fitOptions(kind, p, hooks);

  if (kind === 'cnn-regressor') {
    const prep = prepareSequences(d, plan, p);
    const w = prep.windowed;
    const train = selectWindows(w.windows, prep.split.train);
    const validation = selectWindows(w.windows, prep.split.validation);
    const trained = await trainCnnRegressor({
      train,
      trainTargets: prep.split.train.map((i) => w.labels[i]!),
      validation,
      validationTargets: prep.split.validation.map((i) => w.labels[i]!),
      featureNames: prep.featureNames,
      targetName: d.labelName,
      hyperparameters: {
        ...RUL_CNN_DEFAULTS.hyperparameters,
        ...(p.filters ? { filters: p.filters } : {}),
        ...(p.kernelSize !== undefined ? { kernelSize: p.kernelSize } : {}),
        ...(p.dense ? { dense: p.dense } : {}),
        ...(p.dropout !== undefined ? { dropout: p.dropout } : {}),
        ...(p.activation ? { activation: p.activation } : {}),
        ...(p.learningRate !== undefined ? { learningRate: p.learningRate } : {}),
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
      },
      fit,
    });
    const predicted = predict(trained, validation).output;
    const metrics = regressionEvaluation(
      prep.split.validation.map((i) => w.labels[i]!),
      predicted,
    );
    const evalSet = prep.split.test.length ? selectWindows(w.windows, prep.split.test) : null;
    if (evalSet) {
      const t = regressionEvaluation(
        prep.split.test.map((i) => w.labels[i]!),
        predict(trained, evalSet).output,
      );
      metrics.testRmse = t.rmse!;
      metrics.testMae = t.mae!;
    }
    return {
      trained,
      metrics: { ...metrics, trainWindows: train.count, validationWindows: validation.count },
      preprocessing: {
        imputation: prep.fill,
        droppedColumns: prep.dropped,
        smoothing: { alpha: prep.smoothing, causal: true, per: d.groupBy },
        orderFeature: prep.includeOrder ? d.orderName : null,
        windowLength: prep.windowLength,
      },
      split: { ...prep.split.groups, evaluatedOn: 'validation' },
      inputShape: [prep.windowLength, prep.featureNames.length],
      outputShape: [1],
    };
  }

  const prep = prepareTabular(d, plan);
  const rowsOf = (idx: readonly number[]): Matrix => selectRows(prep.matrix, idx);
  const evalIdx = prep.split.test.length ? prep.split.test : prep.split.validation;
  const evaluatedOn: KindResult['split']['evaluatedOn'] = prep.split.test.length ? 'test' : 'validation';
  const base = {
    preprocessing: { imputation: prep.fill },
    split: { ...prep.split.groups, evaluatedOn },
  };
  const F = prep.featureNames.length;

  if (kind === 'autoencoder') {
    // The detector learns normal behaviour only: fault rows are left out of fitting and threshold.
    const normal = (idx: number[]) => (d.labelKind === 'none' ? idx : idx.filter((r) => !(d.labels[r]! > 0)));
    const trained = await trainAutoencoder({
      train: rowsOf(normal(prep.split.train)),
      validation: rowsOf(normal(prep.split.validation)),
      featureNames: prep.featureNames,
      hyperparameters: {
        ...(p.hidden ? { hidden: p.hidden } : {}),
        ...(p.bottleneck ? { bottleneck: p.bottleneck } : {}),
        ...(p.activation ? { activation: p.activation } : {}),
        ...(p.learningRate !== undefined ? { learningRate: p.learningRate } : {}),
        ...(p.thresholdPercentile !== undefined ? { thresholdPercentile: p.thresholdPercentile } : {}),
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
      },
      fit,
    });
    const out = predict(trained, rowsOf(evalIdx));
    let metrics: Metrics = { threshold: trained.threshold };
    if (d.labelKind !== 'none') {
      metrics = { ...metrics, ...binaryEvaluation(labelsOf(d, evalIdx), out.score!, out.anomaly!) };
      metrics = { ...metrics, ...detectionDelayMetrics(d, evalIdx, (k) => out.anomaly![k]!) };
    } else {
      metrics.flaggedShare = out.anomaly!.filter(Boolean).length / Math.max(1, out.anomaly!.length);
    }
    const labels = d.labelKind === 'none' ? null : labelsOf(d, evalIdx);
    const reference = versionReference(trained, rowsOf(prep.split.train), rowsOf(evalIdx), labels);
    return { ...base, trained, metrics, inputShape: [F], outputShape: [F], reference };
  }

  if (kind === 'mlp-classifier') {
    const k = d.classes.length;
    const trained = await trainMlpClassifier({
      train: rowsOf(prep.split.train),
      trainLabels: labelsOf(d, prep.split.train),
      validation: rowsOf(prep.split.validation),
      validationLabels: labelsOf(d, prep.split.validation),
      featureNames: prep.featureNames,
      classes: d.classes,
      classWeighting: p.classWeighting ?? TRAINING_DEFAULTS['mlp-classifier'].classWeighting,
      hyperparameters: mlpHyperparameters(p),
      fit,
    });
    const out = predict(trained, rowsOf(evalIdx));
    const actual = labelsOf(d, evalIdx);
    const classesOut = predictedClasses(out, trained.binary);
    let metrics: Metrics;
    if (trained.binary) {
      metrics = binaryEvaluation(actual, out.output, classesOut);
      metrics = { ...metrics, ...detectionDelayMetrics(d, evalIdx, (j) => classesOut[j] === 1) };
    } else metrics = multiclassEvaluation(actual, classesOut, k);
    const reference = versionReference(trained, rowsOf(prep.split.train), rowsOf(evalIdx), actual);
    return { ...base, trained, metrics, inputShape: [F], outputShape: [trained.binary ? 1 : k], reference };
  }

  const trained = await trainMlpRegressor({
    train: rowsOf(prep.split.train),
    trainTargets: labelsOf(d, prep.split.train),
    validation: rowsOf(prep.split.validation),
    validationTargets: labelsOf(d, prep.split.validation),
    featureNames: prep.featureNames,
    targetName: d.labelName,
    hyperparameters: mlpHyperparameters(p),
    fit,
  });
  const metrics = regressionEvaluation(labelsOf(d, evalIdx), predict(trained, rowsOf(evalIdx)).output);
  const reference = versionReference(trained, rowsOf(prep.split.train), rowsOf(evalIdx), labelsOf(d, evalIdx));
  return { ...base, trained, metrics, inputShape: [F], outputShape: [1], reference };
}
