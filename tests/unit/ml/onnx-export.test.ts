import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '~/workers/trainer/backend';
import { binaryMetrics, multiclassMetrics, rmse } from '~/workers/trainer/metrics';
import { trainAutoencoder } from '~/workers/trainer/models/autoencoder';
import { trainCnnRegressor } from '~/workers/trainer/models/cnn-regressor';
import { trainMlpClassifier } from '~/workers/trainer/models/mlp-classifier';
import { trainMlpRegressor } from '~/workers/trainer/models/mlp-regressor';
import { predict, predictedClasses } from '~/workers/trainer/models/predict';
import { decodeModel } from '~/workers/trainer/onnx/onnx-proto';
import { exportOnnx } from '~/workers/trainer/onnx/export';
import { RUL_CNN_DEFAULTS } from '~/workers/trainer/presets';
import type { EpochReport } from '~/workers/trainer/training';
import { maxAbsDiff, runOnnx, spread } from './helpers';
import { anomalyData, blobs, FEATURES6, rampWindows, regressionData } from './synthetic';

// Every kind: train briefly, export from the trained weights, run the file in ONNX Runtime (CPU)
// on raw inputs and require agreement with TensorFlow.js within 1e-4.
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await selectBackend();
});

/**
 * An MLP classifier trained briefly on blobs of the given classes (the first `imbalance` times as
 * many as each other), with validation blobs of half as many rows from the next seed.
 */
async function trainOnBlobs(seed: number, perClass: number, classes: string[], imbalance: number) {
  const train = blobs(seed, perClass, classes.length, imbalance);
  const validation = blobs(seed + 1, perClass / 2, classes.length, imbalance);
  const trained = await trainMlpClassifier({
    train: train.x,
    trainLabels: train.y,
    validation: validation.x,
    validationLabels: validation.y,
    featureNames: FEATURES6,
    classes,
    fit: { epochs: 40, batchSize: 64, patience: 6 },
  });
  return { validation, trained };
}

describe('ONNX export agrees with TensorFlow.js', () => {
  it('autoencoder anomaly detector: reconstruction, score and anomaly flag', async () => {
    const train = anomalyData(1, 600, 0).x;
    const validation = anomalyData(2, 300, 0).x;
    const test = anomalyData(3, 200, 40);
    const reports: EpochReport[] = [];
    const trained = await trainAutoencoder({
      train,
      validation,
      featureNames: FEATURES6,
      fit: { epochs: 30, batchSize: 32, patience: 5, onEpoch: (r) => void reports.push(r) },
    });
    expect(reports.length).toBe(trained.training.epochsRun);
    expect(reports[0]).toMatchObject({ epoch: 1, maxEpochs: 30 });
    expect(reports.at(-1)!.valLoss).toBeLessThan(reports[0]!.valLoss!);
    expect(trained.threshold).toBeGreaterThan(0);

    const tfjs = predict(trained, test.x);
    const flags = binaryMetrics(test.isAnomaly, tfjs.anomaly!);
    expect(flags.recall).toBeGreaterThan(0.8);
    expect(flags.precision).toBeGreaterThan(0.8);

    const { bytes, sidecar } = exportOnnx(trained);
    const onnx = await runOnnx(bytes, test.x.values, [test.x.rows, test.x.cols]);
    expect(onnx.reconstruction!.dims).toEqual([test.x.rows, 6]);
    expect(maxAbsDiff(onnx.reconstruction!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(onnx.score!.data as Float32Array, tfjs.score!)).toBeLessThan(TOLERANCE);
    expect(Array.from(onnx.is_anomaly!.data, Boolean)).toEqual(tfjs.anomaly);
    expect(sidecar).toMatchObject({ kind: 'autoencoder', featureNames: FEATURES6, threshold: trained.threshold });
    expect(sidecar.outputs.map((o) => o.name)).toEqual(['reconstruction', 'score', 'is_anomaly']);
  });

  it('binary MLP classifier with class weighting', async () => {
    const { validation, trained } = await trainOnBlobs(11, 60, ['normal', 'fault'], 6);
    expect(trained.binary).toBe(true);
    // 360 normal vs 60 fault rows: balanced weights are n / (2 * count).
    expect(trained.classWeight![0]).toBeCloseTo(420 / 720, 6);
    expect(trained.classWeight![1]).toBeCloseTo(420 / 120, 6);

    const tfjs = predict(trained, validation.x);
    expect(binaryMetrics(validation.y, predictedClasses(tfjs, true)).f1).toBeGreaterThan(0.8);
    const { bytes, sidecar } = exportOnnx(trained);
    const onnx = await runOnnx(bytes, validation.x.values, [validation.x.rows, 6]);
    expect(onnx.probabilities!.dims).toEqual([validation.x.rows, 1]);
    expect(spread(tfjs.output)).toBeGreaterThan(0.5);
    expect(maxAbsDiff(onnx.probabilities!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
    expect(sidecar.classes).toEqual(['normal', 'fault']);
  });

  it('multi-class MLP classifier (fault type) with softmax output', async () => {
    const { validation, trained } = await trainOnBlobs(21, 80, ['normal', 'brake', 'steering', 'lidar'], 3);
    const tfjs = predict(trained, validation.x);
    expect(multiclassMetrics(validation.y, predictedClasses(tfjs, false), 4).macro.f1).toBeGreaterThan(0.8);
    const onnx = await runOnnx(exportOnnx(trained).bytes, validation.x.values, [validation.x.rows, 6]);
    expect(onnx.probabilities!.dims).toEqual([validation.x.rows, 4]);
    expect(maxAbsDiff(onnx.probabilities!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
  });

  it('MLP regressor, target scaling inside the graph', async () => {
    const train = regressionData(31, 800);
    const validation = regressionData(32, 200);
    const trained = await trainMlpRegressor({
      train: train.x,
      trainTargets: train.y,
      validation: validation.x,
      validationTargets: validation.y,
      featureNames: FEATURES6,
      targetName: 'y',
      fit: { epochs: 40, batchSize: 64, patience: 6 },
    });
    const tfjs = predict(trained, validation.x);
    // Target std is about 35; a model that learned nothing scores about that.
    expect(rmse(validation.y, tfjs.output)).toBeLessThan(12);
    const onnx = await runOnnx(exportOnnx(trained).bytes, validation.x.values, [validation.x.rows, 6]);
    expect(maxAbsDiff(onnx.prediction!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
  });

  for (const head of ['flatten', 'global-average'] as const) {
    it(`1D-CNN sequence regressor over windows (${head} head)`, async () => {
      const train = rampWindows(41, 400, 16);
      const validation = rampWindows(42, 120, 16);
      const trained = await trainCnnRegressor({
        train: train.x,
        trainTargets: train.y,
        validation: validation.x,
        validationTargets: validation.y,
        featureNames: ['t24', 'p30', 'bpr'],
        targetName: 'rul',
        hyperparameters: { filters: [8, 8], kernelSize: 3, dense: [16], head },
        fit: { epochs: 25, batchSize: 32, patience: 5 },
      });
      const tfjs = predict(trained, validation.x);
      // Target std is 50.
      expect(rmse(validation.y, tfjs.output)).toBeLessThan(25);
      const { bytes, sidecar } = exportOnnx(trained);
      const onnx = await runOnnx(bytes, validation.x.values, [validation.x.count, 16, 3]);
      expect(onnx.prediction!.dims).toEqual([validation.x.count, 1]);
      expect(maxAbsDiff(onnx.prediction!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
      expect(sidecar.windowLength).toBe(16);
      const decoded = decodeModel(bytes);
      expect(decoded.opset_import[0]!.version).toBe(13);
      expect(decoded.graph.node.slice(0, 2).map((n) => n.op_type)).toEqual(['Sub', 'Div']);
      expect(decoded.graph.node.some((n) => n.op_type === 'Conv')).toBe(true);
      const meta = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
      expect(JSON.parse(meta['drivelab.feature_names']!)).toEqual(['t24', 'p30', 'bpr']);
      expect(JSON.parse(meta['drivelab.normalisation']!).mean).toEqual(trained.normalisation.mean);
    });
  }

  it('1D-CNN with the platform RUL defaults (5 convs, even kernel 10, min-max scaling) exports exactly', async () => {
    // The default architecture of RUL_CNN_DEFAULTS: 'same' padding with an even kernel pads
    // asymmetrically, which the exporter must reproduce; min-max scaling rides in Sub/Div.
    const train = rampWindows(51, 300, 30);
    const validation = rampWindows(52, 80, 30);
    const trained = await trainCnnRegressor({
      train: train.x,
      trainTargets: train.y,
      validation: validation.x,
      validationTargets: validation.y,
      featureNames: ['t24', 'p30', 'cycle'],
      targetName: 'rul',
      hyperparameters: { scaling: 'minmax' },
      fit: { epochs: 3, batchSize: 64 },
    });
    expect(trained.hyperparameters).toMatchObject({ ...RUL_CNN_DEFAULTS.hyperparameters, scaling: 'minmax' });
    expect(trained.hyperparameters.fit).toMatchObject({
      epochs: 3,
      batchSize: 64,
      learningRateDecay: RUL_CNN_DEFAULTS.fit.learningRateDecay,
    });
    expect(trained.model.layers.filter((l) => l.getClassName() === 'Conv1D')).toHaveLength(5);
    const tfjs = predict(trained, validation.x);
    expect(spread(tfjs.output)).toBeGreaterThan(1);
    const onnx = await runOnnx(exportOnnx(trained).bytes, validation.x.values, [validation.x.count, 30, 3]);
    expect(maxAbsDiff(onnx.prediction!.data as Float32Array, tfjs.output)).toBeLessThan(TOLERANCE);
  });
});
