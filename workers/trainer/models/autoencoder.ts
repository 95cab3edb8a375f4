import * as tf from '@tensorflow/tfjs';
import { TRAINING_DEFAULTS } from '~/server/training/defaults';
import type { Matrix } from '../datasets/types';
import { percentile } from '../metrics';
import { fitMatrixStandardiser } from '../normalisation';
import { fitWithEarlyStopping, type FitOptions } from '../training';
import { assertFeatureCount, matrixTensor } from './tensors';
import type { TrainedAutoencoder } from './types';

export interface AutoencoderHyperparameters {
  /** Encoder layer widths; the decoder mirrors them. Default [max(8, F)]. */
  hidden?: number[];
  /** Default max(2, ceil(F / 3)). */
  bottleneck?: number;
  activation?: 'relu' | 'tanh';
  learningRate?: number;
  /** Percentile of validation reconstruction errors used as the anomaly threshold. */
  thresholdPercentile?: number;
  seed?: number;
}

export function resolveAutoencoderHyperparameters(inputDim: number, h: AutoencoderHyperparameters = {}) {
  return {
    hidden: h.hidden ?? [Math.max(8, inputDim)],
    bottleneck: h.bottleneck ?? Math.max(2, Math.ceil(inputDim / 3)),
    // tanh keeps the small code layer from dying the way relu units can on standardised data.
    activation: h.activation ?? TRAINING_DEFAULTS.autoencoder.activation,
    learningRate: h.learningRate ?? TRAINING_DEFAULTS.autoencoder.learningRate,
    thresholdPercentile: h.thresholdPercentile ?? TRAINING_DEFAULTS.autoencoder.thresholdPercentile,
    seed: h.seed ?? 42,
  };
}

export function buildAutoencoder(inputDim: number, h: AutoencoderHyperparameters = {}): tf.Sequential {
  const p = resolveAutoencoderHyperparameters(inputDim, h);
  const model = tf.sequential();
  const widths = [...p.hidden, p.bottleneck, ...[...p.hidden].reverse()];
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: p.activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed + i }),
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: inputDim,
      kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed + widths.length }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: 'meanSquaredError' });
  return model;
}

/** Mean squared error per row between standardised input and reconstruction. */
export function reconstructionErrors(model: tf.LayersModel, standardised: tf.Tensor2D): Float32Array {
  return tf.tidy(() => {
    const recon = model.predict(standardised) as tf.Tensor2D;
    return tf.mean(tf.squaredDifference(standardised, recon), 1).dataSync() as Float32Array;
  });
}

export interface AutoencoderTrainingInput {
  /** Normal rows only: the model learns what normal looks like. */
  train: Matrix;
  /** Normal rows from other groups; their error distribution sets the threshold. */
  validation: Matrix;
  featureNames: string[];
  hyperparameters?: AutoencoderHyperparameters;
  fit?: Partial<FitOptions>;
}

export async function trainAutoencoder(input: AutoencoderTrainingInput): Promise<TrainedAutoencoder> {
  assertFeatureCount(input.train.cols, input.featureNames);
  const p = resolveAutoencoderHyperparameters(input.train.cols, input.hyperparameters);
  const normalisation = fitMatrixStandardiser(input.train);
  const model = buildAutoencoder(input.train.cols, p);
  const x = matrixTensor(input.train, normalisation);
  const vx = matrixTensor(input.validation, normalisation);
  try {
    const training = await fitWithEarlyStopping(model, x, x, { x: vx, y: vx }, { ...input.fit });
    const threshold = percentile(reconstructionErrors(model, vx), p.thresholdPercentile);
    return {
      kind: 'autoencoder',
      model,
      featureNames: input.featureNames,
      normalisation,
      hyperparameters: { ...p, fit: input.fit ?? {} },
      training,
      threshold,
      thresholdPercentile: p.thresholdPercentile,
    };
  } finally {
    tf.dispose([x, vx]);
  }
}
