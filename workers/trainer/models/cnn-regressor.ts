import * as tf from '@tensorflow/tfjs';
import type { Windows } from '../datasets/types';
import { fitStandardiser } from '../normalisation';
import { fitWithEarlyStopping, type FitOptions } from '../training';
import { fitTargetScaling } from './mlp-regressor';
import { assertFeatureCount, columnTensor, windowsTensor } from './tensors';
import type { TrainedSequenceRegressor } from './types';

/** 1D-CNN over sliding windows [steps, features], e.g. remaining useful life from sensor history. */
export interface CnnHyperparameters {
  filters?: number[];
  /** One size for every conv layer, or one per layer. */
  kernelSize?: number | number[];
  activation?: 'relu' | 'tanh';
  /** 'flatten' keeps where in the window a pattern occurs (the trend matters for RUL). */
  head?: 'flatten' | 'global-average';
  dense?: number[];
  dropout?: number;
  learningRate?: number;
  seed?: number;
}

export function resolveCnnHyperparameters(h: CnnHyperparameters = {}) {
  return {
    filters: h.filters ?? [32, 32, 32],
    kernelSize: h.kernelSize ?? 5,
    activation: h.activation ?? 'relu',
    head: h.head ?? 'flatten',
    dense: h.dense ?? [64],
    dropout: h.dropout ?? 0.2,
    learningRate: h.learningRate ?? 1e-3,
    seed: h.seed ?? 42,
  };
}

export function buildCnnRegressor(steps: number, features: number, h: CnnHyperparameters = {}): tf.Sequential {
  const p = resolveCnnHyperparameters(h);
  const model = tf.sequential();
  let seed = p.seed;
  p.filters.forEach((filters, i) => {
    model.add(
      tf.layers.conv1d({
        filters,
        kernelSize: Array.isArray(p.kernelSize) ? (p.kernelSize[i] ?? p.kernelSize.at(-1)!) : p.kernelSize,
        padding: 'same',
        activation: p.activation,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
        ...(i === 0 ? { inputShape: [steps, features] } : {}),
      }),
    );
  });
  model.add(p.head === 'flatten' ? tf.layers.flatten() : tf.layers.globalAveragePooling1d());
  for (const units of p.dense) {
    model.add(tf.layers.dense({ units, activation: p.activation, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }) }));
    if (p.dropout > 0) model.add(tf.layers.dropout({ rate: p.dropout, seed: seed++ }));
  }
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: 'meanSquaredError' });
  return model;
}

export interface SequenceRegressorTrainingInput {
  train: Windows;
  trainTargets: ArrayLike<number>;
  validation: Windows;
  validationTargets: ArrayLike<number>;
  featureNames: string[];
  targetName: string;
  hyperparameters?: CnnHyperparameters;
  fit?: Partial<FitOptions>;
}

export async function trainCnnRegressor(input: SequenceRegressorTrainingInput): Promise<TrainedSequenceRegressor> {
  assertFeatureCount(input.train.features, input.featureNames);
  const p = resolveCnnHyperparameters(input.hyperparameters);
  // Per-sensor statistics over every row of every training window.
  const normalisation = fitStandardiser(input.train.values, input.train.features);
  const targetScaling = fitTargetScaling(input.trainTargets);
  const model = buildCnnRegressor(input.train.steps, input.train.features, p);
  const x = windowsTensor(input.train, normalisation);
  const y = columnTensor(input.trainTargets, targetScaling);
  const vx = windowsTensor(input.validation, normalisation);
  const vy = columnTensor(input.validationTargets, targetScaling);
  try {
    const training = await fitWithEarlyStopping(model, x, y, { x: vx, y: vy }, { ...input.fit });
    return {
      kind: 'cnn-regressor',
      model,
      featureNames: input.featureNames,
      normalisation,
      hyperparameters: { ...p, fit: input.fit ?? {} },
      training,
      targetName: input.targetName,
      targetScaling,
      windowLength: input.train.steps,
    };
  } finally {
    tf.dispose([x, y, vx, vy]);
  }
}
