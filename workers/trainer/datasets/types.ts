/** Row-major float matrix: large datasets stay in one typed array instead of nested JS arrays. */
export interface Matrix {
  values: Float32Array;
  rows: number;
  cols: number;
}

/** Sliding windows, laid out [count][steps][features] like the tfjs Conv1D input. */
export interface Windows {
  values: Float32Array;
  count: number;
  steps: number;
  features: number;
}

export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`row ${i} has ${r.length} values, expected ${cols}`);
    values.set(r, i * cols);
  });
  return { values, rows: rows.length, cols };
}

export function selectRows(m: Matrix, indices: readonly number[]): Matrix {
  const values = new Float32Array(indices.length * m.cols);
  indices.forEach((r, i) => values.set(m.values.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { values, rows: indices.length, cols: m.cols };
}

export function selectWindows(w: Windows, indices: readonly number[]): Windows {
  const size = w.steps * w.features;
  const values = new Float32Array(indices.length * size);
  indices.forEach((k, i) => values.set(w.values.subarray(k * size, (k + 1) * size), i * size));
  return { values, count: indices.length, steps: w.steps, features: w.features };
}

export function pick<T>(items: ArrayLike<T>, indices: readonly number[]): T[] {
  return indices.map((i) => items[i] as T);
}
