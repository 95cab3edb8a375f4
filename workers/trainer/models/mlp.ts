import * as tf from '@tensorflow/tfjs';
import { TRAINING_DEFAULTS } from '~/server/training/defaults';
import { seededDropout } from './dropout';

/** Hidden stack shared by the MLP classifier and regressor. */
export interface MlpHyperparameters {
  hidden?: number[];
  activation?: 'relu' | 'tanh';
  /** Dropout after each hidden layer; exported graphs omit it (inference identity). */
  dropout?: number;
  learningRate?: number;
  /** L2 penalty on hidden kernels. */
  l2?: number;
  seed?: number;
}

export function resolveMlpHyperparameters(h: MlpHyperparameters = {}) {
  // The classifier and the regressor share one row of defaults.
  const d = TRAINING_DEFAULTS['mlp-regressor'];
  return {
    hidden: h.hidden ?? [...d.hidden],
    activation: h.activation ?? 'relu',
    dropout: h.dropout ?? d.dropout,
    learningRate: h.learningRate ?? d.learningRate,
    l2: h.l2 ?? 1e-4,
    seed: h.seed ?? 42,
  };
}

export function buildMlp(
  inputDim: number,
  output: { units: number; activation: 'linear' | 'sigmoid' | 'softmax' },
  h: MlpHyperparameters = {},
): tf.Sequential {
  const p = resolveMlpHyperparameters(h);
  const model = tf.sequential();
  p.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: p.activation,
        kernelInitializer: tf.initializers.heNormal({ seed: p.seed + i }),
        kernelRegularizer: p.l2 > 0 ? tf.regularizers.l2({ l2: p.l2 }) : undefined,
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
      }),
    );
    if (p.dropout > 0) model.add(seededDropout(p.dropout, p.seed + 100 + i));
  });
  model.add(
    tf.layers.dense({
      units: output.units,
      activation: output.activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed + p.hidden.length }),
      ...(p.hidden.length === 0 ? { inputShape: [inputDim] } : {}),
    }),
  );
  return model;
}
