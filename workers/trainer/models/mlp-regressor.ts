import * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../datasets/types';
import { fitMatrixStandardiser, fitStandardiser } from '../normalisation';
import { fitWithEarlyStopping } from '../training';
import { buildMlp, resolveMlpHyperparameters, type MlpHyperparameters } from './mlp';
import { assertFeatureCount, columnTensor, matrixTensor } from './tensors';
import type { RegressorInput, TargetScaling, TrainedRegressor } from './types';

export function buildMlpRegressor(inputDim: number, h: MlpHyperparameters = {}): tf.Sequential {
  const model = buildMlp(inputDim, { units: 1, activation: 'linear' }, h);
  model.compile({ optimizer: tf.train.adam(resolveMlpHyperparameters(h).learningRate), loss: 'meanSquaredError' });
  return model;
}

/** Standardising the target keeps the default learning rate sensible whatever the target's units. */
export function fitTargetScaling(y: ArrayLike<number>): TargetScaling {
  const s = fitStandardiser(y, 1);
  return { mean: s.mean[0]!, std: s.std[0]! };
}

export type RegressorTrainingInput = RegressorInput<Matrix, MlpHyperparameters>;

export async function trainMlpRegressor(input: RegressorTrainingInput): Promise<TrainedRegressor> {
  assertFeatureCount(input.train.cols, input.featureNames);
  const p = resolveMlpHyperparameters(input.hyperparameters);
  const normalisation = fitMatrixStandardiser(input.train);
  const targetScaling = fitTargetScaling(input.trainTargets);
  const model = buildMlpRegressor(input.train.cols, p);
  const x = matrixTensor(input.train, normalisation);
  const y = columnTensor(input.trainTargets, targetScaling);
  const vx = matrixTensor(input.validation, normalisation);
  const vy = columnTensor(input.validationTargets, targetScaling);
  try {
    const training = await fitWithEarlyStopping(model, x, y, { x: vx, y: vy }, { ...input.fit });
    return {
      kind: 'mlp-regressor',
      model,
      featureNames: input.featureNames,
      normalisation,
      hyperparameters: { ...p, fit: input.fit ?? {} },
      training,
      targetName: input.targetName,
      targetScaling,
    };
  } finally {
    tf.dispose([x, y, vx, vy]);
  }
}
