import * as tf from '@tensorflow/tfjs';
import type { Matrix, Windows } from '../datasets/types';
import { reconstructionErrors } from './autoencoder';
import { matrixTensor, windowsTensor } from './tensors';
import type { TrainedModel } from './types';

/**
 * TensorFlow.js inference on raw (unstandardised) inputs, returning the same outputs as the
 * exported ONNX graph so the two can be compared and evaluation code needs one shape.
 */
export interface Predictions {
  /** regressors: target units; classifiers: probabilities; autoencoder: reconstruction (standardised). */
  output: Float32Array;
  outputShape: [number, number];
  /** Autoencoder only: mean squared reconstruction error per row. */
  score?: Float32Array;
  /** Autoencoder only: score > threshold. */
  anomaly?: boolean[];
}

export function predict(trained: TrainedModel, input: Matrix | Windows): Predictions {
  let result: Predictions | undefined;
  // Outputs leave as typed arrays, so every intermediate tensor can be released by tidy.
  tf.tidy(() => {
    result = run(trained, input);
  });
  return result!;
}

function run(trained: TrainedModel, input: Matrix | Windows): Predictions {
  {
    if (trained.kind === 'cnn-regressor') {
      if (!('steps' in input)) throw new Error('cnn-regressor expects windows');
      if (input.steps !== trained.windowLength)
        throw new Error(`expected windows of ${trained.windowLength} steps, got ${input.steps}`);
      const out = trained.model.predict(windowsTensor(input, trained.normalisation)) as tf.Tensor2D;
      const y = out.mul(trained.targetScaling.std).add(trained.targetScaling.mean);
      return { output: y.dataSync() as Float32Array, outputShape: [input.count, 1] };
    }
    if (!('rows' in input)) throw new Error(`${trained.kind} expects a feature matrix`);
    const x = matrixTensor(input, trained.normalisation);
    const out = trained.model.predict(x) as tf.Tensor2D;
    const shape: [number, number] = [out.shape[0], out.shape[1]];
    switch (trained.kind) {
      case 'mlp-regressor': {
        const y = out.mul(trained.targetScaling.std).add(trained.targetScaling.mean);
        return { output: y.dataSync() as Float32Array, outputShape: shape };
      }
      case 'mlp-classifier':
        return { output: out.dataSync() as Float32Array, outputShape: shape };
      case 'autoencoder': {
        const score = reconstructionErrors(trained.model, x);
        return {
          output: out.dataSync() as Float32Array,
          outputShape: shape,
          score,
          anomaly: Array.from(score, (s) => s > trained.threshold),
        };
      }
    }
  }
}

/** Class index per row from classifier probabilities (binary: probability of class 1 > 0.5). */
export function predictedClasses(p: Predictions, binary: boolean): number[] {
  const [rows, cols] = p.outputShape;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (binary) out.push(p.output[r]! > 0.5 ? 1 : 0);
    else {
      let best = 0;
      for (let c = 1; c < cols; c++) if (p.output[r * cols + c]! > p.output[r * cols + best]!) best = c;
      out.push(best);
    }
  }
  return out;
}
