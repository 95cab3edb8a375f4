import * as tf from '@tensorflow/tfjs';
import type { Matrix, Windows } from '../datasets/types';
import { standardise, type Standardiser } from '../normalisation';

/** Standardised [rows, cols] tensor; the caller disposes it. */
export function matrixTensor(m: Matrix, s: Standardiser): tf.Tensor2D {
  return tf.tensor2d(standardise(m.values, s), [m.rows, m.cols]);
}

/** Standardised [count, steps, features] tensor; the caller disposes it. */
export function windowsTensor(w: Windows, s: Standardiser): tf.Tensor3D {
  return tf.tensor3d(standardise(w.values, s), [w.count, w.steps, w.features]);
}

export function columnTensor(values: ArrayLike<number>, scale?: { mean: number; std: number }): tf.Tensor2D {
  const out = Float32Array.from(values, (v) => (scale ? (v - scale.mean) / scale.std : v));
  return tf.tensor2d(out, [out.length, 1]);
}

export function assertFeatureCount(cols: number, featureNames: readonly string[]): void {
  if (cols !== featureNames.length)
    throw new Error(`data has ${cols} features but ${featureNames.length} feature names`);
}
