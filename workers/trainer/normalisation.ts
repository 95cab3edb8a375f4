import type { Matrix } from './datasets/types';

/**
 * Per-feature standardisation statistics. Fitted on the training split only and shipped with the
 * model (inside the ONNX graph and in the sidecar), so serving applies exactly the same transform.
 */
export interface Standardiser {
  mean: number[];
  std: number[];
}

/** Rows of a Matrix, or any flat array whose last dimension has `cols` features (e.g. windows). */
export function fitStandardiser(values: ArrayLike<number>, cols: number): Standardiser {
  const n = Math.floor(values.length / cols);
  if (n === 0) throw new Error('cannot fit a standardiser on no rows');
  const mean = new Array<number>(cols).fill(0);
  const m2 = new Array<number>(cols).fill(0);
  // Welford's update: float32 sensor readings like 9065 +- 20 lose precision with sum-of-squares.
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < cols; c++) {
      const x = values[r * cols + c] as number;
      const d = x - mean[c]!;
      mean[c]! += d / (r + 1);
      m2[c]! += d * (x - mean[c]!);
    }
  }
  // A constant feature keeps std 1 so serving never divides by zero; it then contributes zeros.
  const std = m2.map((s) => {
    const sd = Math.sqrt(s / n);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

/**
 * Min-max scaling to [-1, 1] per feature, expressed as a Standardiser (mean = mid-range,
 * std = half-range) so predict() and the ONNX graph apply it unchanged. A constant feature keeps
 * std 1, like fitStandardiser.
 */
export function fitMinMaxScaler(values: ArrayLike<number>, cols: number): Standardiser {
  const n = Math.floor(values.length / cols);
  if (n === 0) throw new Error('cannot fit a scaler on no rows');
  const min = new Array<number>(cols).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(cols).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < cols; c++) {
      const x = values[r * cols + c] as number;
      if (x < min[c]!) min[c] = x;
      if (x > max[c]!) max[c] = x;
    }
  }
  const mean = min.map((lo, c) => (lo + max[c]!) / 2);
  const std = min.map((lo, c) => {
    const half = (max[c]! - lo) / 2;
    return half > 1e-12 ? half : 1;
  });
  return { mean, std };
}

export function fitMatrixStandardiser(m: Matrix): Standardiser {
  return fitStandardiser(m.values, m.cols);
}

/**
 * Returns a new array; the last dimension has mean.length features. Computed in float32 steps, the
 * way the exported graph's Sub and Div run, so tfjs and ONNX Runtime see bit-identical inputs.
 */
export function standardise(values: ArrayLike<number>, s: Standardiser): Float32Array {
  const cols = s.mean.length;
  const mean = Float32Array.from(s.mean);
  const std = Float32Array.from(s.std);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % cols;
    out[i] = Math.fround(Math.fround(values[i] as number) - mean[c]!) / std[c]!;
  }
  return out;
}
