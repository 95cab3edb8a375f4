import { describe, expect, it } from 'vitest';
import { kernelShap, shapPlan, type BatchModel } from '~/server/explain/kernel-shap';

/** Exact interventional Shapley values by enumerating every coalition (the definition). */
function exactShapley(f: (row: number[]) => number, x: number[], background: number[][]): number[] {
  const M = x.length;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const v = (mask: number) =>
    background.reduce((a, b) => a + f(b.map((bj, j) => (mask & (1 << j) ? x[j]! : bj))), 0) / background.length;
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++)
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let s = 0;
      for (let j = 0; j < M; j++) if (mask & (1 << j)) s++;
      phi[i]! += ((fact(s) * fact(M - s - 1)) / fact(M)) * (v(mask | (1 << i)) - v(mask));
    }
  return phi;
}

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) % 4294967296;
    return a / 4294967296;
  };
}

const batch =
  (f: (row: number[]) => number, M: number): BatchModel =>
  (rows, n) =>
    Float64Array.from({ length: n }, (_, i) => f(Array.from(rows.subarray(i * M, (i + 1) * M))));

const background = (M: number, N: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: N }, () => Array.from({ length: M }, () => 10 * r() - 5));
};

describe('KernelSHAP', () => {
  it('gives a linear model its exact Shapley values w_i (x_i − E b_i), with 32 features and a sampled plan', async () => {
    const M = 32;
    const r = rng(3);
    const w = Array.from({ length: M }, () => 4 * r() - 2);
    const f = (row: number[]) => 0.7 + row.reduce((a, v, j) => a + w[j]! * v, 0);
    const bg = background(M, 20, 5);
    const x = Array.from({ length: M }, () => 10 * r() - 5);
    const plan = shapPlan(M, 2 * M + 128);
    expect(plan.exact).toBe(false);
    const e = await kernelShap(batch(f, M), plan, x, Float32Array.from(bg.flat()));
    const f32 = (v: number) => Math.fround(v);
    for (let j = 0; j < M; j++) {
      const mean = bg.reduce((a, b) => a + f32(b[j]!), 0) / bg.length;
      expect(e.values[j]).toBeCloseTo(w[j]! * (f32(x[j]!) - mean), 3);
    }
    expect(e.base + e.values.reduce((a, b) => a + b, 0)).toBeCloseTo(e.output, 6);
  });

  it('matches the Shapley values by enumeration for a nonlinear model when every coalition fits the budget', async () => {
    const M = 6;
    const f = (r: number[]) => Math.tanh(r[0]! * r[1]!) + r[2]! ** 2 - 0.5 * r[3]! * r[4]! * r[5]! + Math.max(0, r[1]!);
    const bg = background(M, 8, 11).map((r) => r.map(Math.fround));
    const x = [1.5, -2, 0.5, 3, -1, 2].map(Math.fround);
    const plan = shapPlan(M, 2 ** M);
    expect(plan.exact).toBe(true);
    expect(plan.coalitions).toBe(2 ** M - 2);
    const e = await kernelShap(batch(f, M), plan, x, Float32Array.from(bg.flat()));
    const exact = exactShapley(f, x, bg);
    for (let j = 0; j < M; j++) expect(e.values[j]).toBeCloseTo(exact[j]!, 3);
  });

  it('approximates a nonlinear model with a sampled plan and always sums to f(x) − base', async () => {
    const M = 10;
    const f = (r: number[]) => Math.sin(r[0]!) * r[1]! + r[2]! * r[3]! + r.slice(4).reduce((a, v) => a + 0.3 * v, 0);
    const bg = background(M, 10, 2).map((r) => r.map(Math.fround));
    const x = Array.from({ length: M }, (_, j) => Math.fround(j / 3 - 1));
    const plan = shapPlan(M, 600);
    expect(plan.exact).toBe(false);
    const e = await kernelShap(batch(f, M), plan, x, Float32Array.from(bg.flat()));
    const exact = exactShapley(f, x, bg);
    const err = Math.max(...exact.map((v, j) => Math.abs(v - e.values[j]!)));
    const scale = Math.max(...exact.map(Math.abs));
    expect(err / scale).toBeLessThan(0.1);
    expect(e.base + e.values.reduce((a, b) => a + b, 0)).toBeCloseTo(f(x), 5);
  });
});
