import * as tf from '@tensorflow/tfjs';
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
  return {
    hidden: h.hidden ?? [64, 32],
    activation: h.activation ?? 'relu',
    dropout: h.dropout ?? 0.1,
    learningRate: h.learningRate ?? 1e-3,
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
