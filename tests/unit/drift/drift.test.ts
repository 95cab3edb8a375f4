import { describe, expect, it } from 'vitest';
import { categoricalDrift, DriftReference } from '~/server/drift/report';
import { FeatureSketch, gridFor } from '~/server/drift/sketch';
import {
  chiSquare,
  jensenShannon,
  kolmogorovQ,
  ksFromCounts,
  ksTest,
  upperGammaRegularised,
} from '~/server/drift/stats';

function gaussian(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
const sample = (seed: number, n: number, mean = 0, std = 1) => {
  const g = gaussian(seed);
  return Array.from({ length: n }, () => mean + std * g());
};

describe('drift statistics', () => {
  it('has the textbook critical values', () => {
    expect(kolmogorovQ(1.3581)).toBeCloseTo(0.05, 3);
    expect(kolmogorovQ(1.6276)).toBeCloseTo(0.01, 3);
    expect(upperGammaRegularised(0.5, 3.8415 / 2)).toBeCloseTo(0.05, 4); // χ²(1) at 3.84
    expect(upperGammaRegularised(1, 5.9915 / 2)).toBeCloseTo(0.05, 4); // χ²(2) at 5.99
    expect(upperGammaRegularised(5, 18.307 / 2)).toBeCloseTo(0.05, 4); // χ²(10) at 18.31
    expect(jensenShannon([5, 5], [5, 5])).toBe(0);
    expect(jensenShannon([10, 0], [0, 10])).toBeCloseTo(1, 10);
  });

  it('KS on sketches equals KS on raw samples when the grid holds every reference value', () => {
    const ref = sample(1, 400);
    const cur = sample(2, 3000, 0.2);
    const grid = gridFor(ref);
    expect(grid.length).toBe(400);
    const r = new FeatureSketch(grid);
    const c = new FeatureSketch(grid);
    ref.forEach((v) => r.add(v));
    cur.forEach((v) => c.add(v));
    const raw = ksTest(ref, cur);
    const binned = ksFromCounts(r.counts, c.counts);
    // The sketch sees the CDFs at the reference's points only: never above the exact D, and close.
    expect(binned.statistic).toBeLessThanOrEqual(raw.statistic + 1e-12);
    expect(raw.statistic - binned.statistic).toBeLessThan(0.01);
  });

  it('sketches merge by adding: two half windows give the whole window', () => {
    const grid = gridFor(sample(3, 700));
    const whole = new FeatureSketch(grid);
    const a = new FeatureSketch(grid);
    const b = new FeatureSketch(grid);
    sample(4, 1000, 0.3).forEach((v, i) => {
      whole.add(v);
      (i % 2 ? a : b).add(v);
    });
    a.add(null);
    const merged = FeatureSketch.from(
      grid,
      JSON.parse(JSON.stringify(a.toJSON())) as ReturnType<typeof a.toJSON>,
    ).merge(b);
    expect(Array.from(merged.counts)).toEqual(Array.from(whole.counts));
    expect(merged.nulls).toBe(1);
    expect(merged.sum).toBeCloseTo(whole.sum, 8);
  });
});

describe('drift report (Evidently test choice)', () => {
  const names = ['engine_temp', 'vibration', 'speed', 'brake'];
  const means = [90, 0.3, 20, 5];
  const stds = [2, 0.05, 5, 1];
  const rows = (seed: number, n: number, shift: number[]) => {
    const cols = names.map((_, j) => sample(seed + j, n, means[j]! + shift[j]! * stds[j]!, stds[j]));
    return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
  };

  it('small reference (≤ 1,000 rows): KS flags a shifted window and passes an unshifted one', () => {
    const ref = new DriftReference(names, rows(10, 800, [0, 0, 0, 0]), null);
    const same = ref.window();
    rows(20, 2000, [0, 0, 0, 0]).forEach((r) => same.add(r));
    const calm = same.report();
    for (const c of calm.columns) {
      expect(c.test).toBe('ks');
      expect(c.pValue!).toBeGreaterThan(0.05);
      expect(c.drifted).toBe(false);
      expect(c.psi).toBeLessThan(0.05);
    }
    expect(calm.datasetDrift).toBe(false);

    const shifted = ref.window();
    rows(30, 2000, [0.75, 0.75, 0.75, 0]).forEach((r) => shifted.add(r));
    const rep = shifted.report();
    const temp = rep.columns.find((c) => c.column === 'engine_temp')!;
    expect(temp.drifted).toBe(true);
    expect(temp.pValue!).toBeLessThan(1e-6);
    expect(temp.statistic).toBeGreaterThan(0.2);
    expect(temp.distance).toBeGreaterThan(0.6);
    expect(temp.distance).toBeLessThan(0.9);
    expect(temp.psi).toBeGreaterThan(0.2);
    expect(rep.columns.find((c) => c.column === 'brake')!.drifted).toBe(false);
    // Three of four columns drift: the dataset drifts, and drifting columns come first.
    expect(rep.driftedShare).toBe(0.75);
    expect(rep.datasetDrift).toBe(true);
    expect(rep.columns.at(-1)!.column).toBe('brake');
  });

  it('large reference (> 1,000 rows): Wasserstein / reference std > 0.1', () => {
    const ref = new DriftReference(names, rows(40, 5000, [0, 0, 0, 0]), sample(99, 5000, 0.2, 0.1));
    const calm = ref.window();
    rows(50, 5000, [0, 0, 0, 0]).forEach((r, i) => calm.add(r, 0.2 + 0.1 * Math.sin(i)));
    const c = calm.report();
    for (const col of c.columns) {
      expect(col.test).toBe('wasserstein');
      expect(col.pValue).toBeNull();
      expect(col.statistic).toBeLessThan(0.1);
      expect(col.drifted).toBe(false);
    }
    const shifted = ref.window();
    const p = sample(98, 5000, 0.5, 0.1);
    rows(60, 5000, [0.5, 0, 0, 0.05]).forEach((r, i) => shifted.add(r, p[i]));
    const s = shifted.report();
    const temp = s.columns.find((x) => x.column === 'engine_temp')!;
    expect(temp.drifted).toBe(true);
    expect(temp.statistic).toBeGreaterThan(0.4);
    expect(temp.statistic).toBeLessThan(0.6);
    expect(s.columns.find((x) => x.column === 'brake')!.drifted).toBe(false);
    expect(s.datasetDrift).toBe(false);
    // Prediction drift: the scores moved by three of their standard deviations.
    expect(s.prediction!.drifted).toBe(true);
    expect(s.prediction!.distance).toBeGreaterThan(2.5);
  });

  it('categorical columns: chi-square up to 1,000 reference rows, Jensen–Shannon above', () => {
    const small = categoricalDrift('label', ['normal', 'anomaly'], [900, 100], [850, 150]);
    expect(small.test).toBe('chi-square');
    expect(small.pValue!).toBeLessThan(0.05);
    expect(small.drifted).toBe(true);
    expect(categoricalDrift('label', ['normal', 'anomaly'], [900, 100], [898, 102]).drifted).toBe(false);
    const chi = chiSquare([900, 100], [850, 150]);
    expect(chi.statistic).toBeCloseTo(50 ** 2 / 900 + 50 ** 2 / 100, 6);
    const large = categoricalDrift('label', ['a', 'b', 'c'], [4000, 4000, 2000], [2000, 2000, 6000]);
    expect(large.test).toBe('jensen-shannon');
    expect(large.statistic).toBeGreaterThan(0.1);
    expect(large.drifted).toBe(true);
    expect(categoricalDrift('label', ['a', 'b', 'c'], [4000, 4000, 2000], [410, 390, 200]).drifted).toBe(false);
  });
});
