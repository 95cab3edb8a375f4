import type { Matrix, Windows } from '~/workers/trainer/datasets/types';
import { gaussian } from './helpers';

/**
 * Small synthetic problems with a known structure, offset and scaled like raw sensor readings so
 * the in-graph normalisation is exercised.
 */
const OFFSETS = [500, -3, 0.02, 2388, 47, 9000];
const SCALES = [0.5, 2, 0.001, 0.07, 0.3, 20];

function toRaw(z: number[]): number[] {
  return z.map((v, i) => OFFSETS[i % OFFSETS.length]! + SCALES[i % SCALES.length]! * v);
}

function matrix(rows: number[][]): Matrix {
  return { values: Float32Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}

export const FEATURES6 = ['s1', 's2', 's3', 's4', 's5', 's6'];

/** Normal rows live near a 2-D plane in 6-D; anomalies leave it. */
export function anomalyData(seed: number, normal: number, anomalies: number): { x: Matrix; isAnomaly: number[] } {
  const g = gaussian(seed);
  const rows: number[][] = [];
  const isAnomaly: number[] = [];
  for (let i = 0; i < normal + anomalies; i++) {
    const a = g();
    const b = g();
    const z = [a, b, a + b, a - b, 0.5 * a, -b].map((v) => v + 0.05 * g());
    const anomalous = i >= normal;
    if (anomalous) {
      const k = i % 6;
      z[k] = z[k]! + (g() > 0 ? 4 : -4);
    }
    rows.push(toRaw(z));
    isAnomaly.push(anomalous ? 1 : 0);
  }
  return { x: matrix(rows), isAnomaly };
}

/** Class k is a Gaussian blob around centre k; class 0 dominates when `imbalance` > 1. */
export function blobs(seed: number, perClass: number, numClasses: number, imbalance = 1): { x: Matrix; y: number[] } {
  const g = gaussian(seed);
  const centres = Array.from({ length: numClasses }, (_, k) =>
    FEATURES6.map((_, j) => 2.2 * Math.cos((2 * Math.PI * k) / numClasses + j)),
  );
  const rows: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < numClasses; k++) {
    const n = k === 0 ? Math.round(perClass * imbalance) : perClass;
    for (let i = 0; i < n; i++) {
      rows.push(toRaw(centres[k]!.map((c) => c + g())));
      y.push(k);
    }
  }
  return { x: matrix(rows), y };
}

export function regressionData(seed: number, n: number): { x: Matrix; y: number[] } {
  const g = gaussian(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = FEATURES6.map(() => g());
    rows.push(toRaw(z));
    y.push(100 + 30 * z[0]! - 15 * z[1]! * z[1]! + 10 * Math.tanh(z[3]!) + 2 * g());
  }
  return { x: matrix(rows), y };
}

/** Windows whose target is the slope of a noisy ramp in feature 0, like degradation toward failure. */
export function rampWindows(seed: number, count: number, steps: number): { x: Windows; y: number[] } {
  const g = gaussian(seed);
  const features = 3;
  const values = new Float32Array(count * steps * features);
  const y: number[] = [];
  for (let k = 0; k < count; k++) {
    const slope = 2 * g();
    for (let t = 0; t < steps; t++) {
      const base = (k * steps + t) * features;
      values[base] = 640 + slope * (t / steps) + 0.1 * g();
      values[base + 1] = 1590 + 5 * g();
      values[base + 2] = 8.4 + 0.03 * slope + 0.01 * g();
    }
    y.push(60 + 25 * slope);
  }
  return { x: { values, count, steps, features }, y };
}
