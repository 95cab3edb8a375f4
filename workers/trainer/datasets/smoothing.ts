import type { Matrix } from './types';

/**
 * Causal exponential smoothing within each group: s_0 = x_0, s_t = alpha * x_t + (1 - alpha) * s_{t-1}.
 * Uses only the group's own past rows, so a serving pipeline can compute it online from the
 * history it already holds. Rows must be in time order within a group; groups may be interleaved.
 * alpha = 1 returns a copy. `columns` limits smoothing to some columns (default all).
 */
export function exponentialSmoothing(
  m: Matrix,
  groupOfRow: ArrayLike<string | number>,
  alpha: number,
  columns?: readonly number[],
): Matrix {
  if (!(alpha > 0 && alpha <= 1)) throw new Error('alpha must be in (0, 1]');
  const values = Float32Array.from(m.values);
  const cols = columns ?? Array.from({ length: m.cols }, (_, c) => c);
  const state = new Map<string, Float64Array>();
  for (let r = 0; r < m.rows; r++) {
    const g = String(groupOfRow[r]);
    let s = state.get(g);
    if (!s) {
      s = new Float64Array(cols.length);
      cols.forEach((c, j) => (s![j] = m.values[r * m.cols + c]!));
      state.set(g, s);
    } else {
      cols.forEach((c, j) => (s![j] = alpha * m.values[r * m.cols + c]! + (1 - alpha) * s![j]!));
    }
    cols.forEach((c, j) => (values[r * m.cols + c] = s[j]!));
  }
  return { values, rows: m.rows, cols: m.cols };
}
