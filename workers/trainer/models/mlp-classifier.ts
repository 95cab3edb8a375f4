import * as tf from '@tensorflow/tfjs';
import { TRAINING_DEFAULTS } from '~/server/training/defaults';
import type { Matrix } from '../datasets/types';
import { fitMatrixStandardiser } from '../normalisation';
import { fitWithEarlyStopping, type FitOptions } from '../training';
import { buildMlp, resolveMlpHyperparameters, type MlpHyperparameters } from './mlp';
import { assertFeatureCount, matrixTensor } from './tensors';
import type { TrainedClassifier } from './types';

/**
 * 'balanced' weights each class by n / (classes * count): faults are rare in fleet data and an
 * unweighted classifier learns to say "normal" to everything.
 */
export type ClassWeighting = 'balanced' | 'none' | Record<number, number>;

export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): Record<number, number> {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] as number]! += 1;
  const out: Record<number, number> = {};
  counts.forEach((c, k) => {
    out[k] = c === 0 ? 0 : labels.length / (numClasses * c);
  });
  return out;
}

export function buildMlpClassifier(inputDim: number, numClasses: number, h: MlpHyperparameters = {}): tf.Sequential {
  if (numClasses < 2) throw new Error('a classifier needs at least 2 classes');
  const binary = numClasses === 2;
  const model = buildMlp(inputDim, { units: binary ? 1 : numClasses, activation: binary ? 'sigmoid' : 'softmax' }, h);
  model.compile({
    optimizer: tf.train.adam(resolveMlpHyperparameters(h).learningRate),
    loss: binary ? 'binaryCrossentropy' : 'categoricalCrossentropy',
  });
  return model;
}

function labelTensor(labels: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  const y = Int32Array.from(labels);
  for (const v of y) if (v < 0 || v >= numClasses) throw new Error(`label ${v} outside 0..${numClasses - 1}`);
  if (numClasses === 2) return tf.tensor2d(Float32Array.from(y), [y.length, 1]);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), numClasses).toFloat() as tf.Tensor2D);
}

export interface ClassifierTrainingInput {
  train: Matrix;
  /** Class index per row, 0..classes.length-1. */
  trainLabels: ArrayLike<number>;
  validation: Matrix;
  validationLabels: ArrayLike<number>;
  featureNames: string[];
  /** For binary models classes[1] is the positive class, e.g. ['normal', 'fault']. */
  classes: string[];
  classWeighting?: ClassWeighting;
  hyperparameters?: MlpHyperparameters;
  fit?: Partial<FitOptions>;
}

export async function trainMlpClassifier(input: ClassifierTrainingInput): Promise<TrainedClassifier> {
  assertFeatureCount(input.train.cols, input.featureNames);
  const k = input.classes.length;
  const p = resolveMlpHyperparameters(input.hyperparameters);
  const normalisation = fitMatrixStandardiser(input.train);
  const model = buildMlpClassifier(input.train.cols, k, p);
  const weighting = input.classWeighting ?? TRAINING_DEFAULTS['mlp-classifier'].classWeighting;
  const classWeight =
    weighting === 'none' ? null : weighting === 'balanced' ? balancedClassWeights(input.trainLabels, k) : weighting;
  const x = matrixTensor(input.train, normalisation);
  const y = labelTensor(input.trainLabels, k);
  const vx = matrixTensor(input.validation, normalisation);
  const vy = labelTensor(input.validationLabels, k);
  try {
    const training = await fitWithEarlyStopping(
      model,
      x,
      y,
      { x: vx, y: vy },
      { ...input.fit, classWeight: classWeight ?? undefined },
    );
    return {
      kind: 'mlp-classifier',
      model,
      featureNames: input.featureNames,
      normalisation,
      hyperparameters: {
        ...p,
        classWeighting: typeof weighting === 'string' ? weighting : 'custom',
        fit: input.fit ?? {},
      },
      training,
      classes: input.classes,
      binary: k === 2,
      classWeight,
    };
  } finally {
    tf.dispose([x, y, vx, vy]);
  }
}
