import { describe, expect, it } from 'vitest';
import { permutationImportance } from '~/server/explain/importance';

describe('permutation importance', () => {
  it('ranks the features a loss depends on, and gives unused ones exactly zero', () => {
    const rows = 400;
    const cols = 3;
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      values[i * cols] = i / rows;
      values[i * cols + 1] = Math.sin(i);
      values[i * cols + 2] = (i % 7) / 7;
    }
    const target = Array.from({ length: rows }, (_, i) => 3 * values[i * cols]! + 0.5 * values[i * cols + 1]!);
    // MSE of the true model: zero until a used column is shuffled.
    const loss = (v: Float32Array, n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (3 * v[i * cols]! + 0.5 * v[i * cols + 1]! - target[i]!) ** 2;
      return s / n;
    };
    const r = permutationImportance(loss, values, rows, ['strong', 'weak', 'unused']);
    expect(r.baseline).toBeCloseTo(0, 10);
    expect(r.features.map((f) => f.feature)).toEqual(['strong', 'weak', 'unused']);
    // Shuffling x0 ~ U(0,1) costs ≈ 9 · 2 · Var(x0) = 1.5.
    expect(r.features[0]!.importance).toBeGreaterThan(1.2);
    expect(r.features[0]!.importance).toBeLessThan(1.8);
    expect(r.features[1]!.importance).toBeGreaterThan(0.1);
    expect(r.features[2]!.importance).toBe(0);
    // The input is left as it was.
    expect(values[0]).toBe(0);
    expect(values[cols]).toBeCloseTo(1 / rows, 6);
  });
});
