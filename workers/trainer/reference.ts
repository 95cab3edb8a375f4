import { permutationImportance, type FeatureImportance } from '~/server/explain/importance';
import type { Matrix } from './datasets/types';
import { predict } from './models/predict';
import type { TrainedModel } from './models/types';

/**
 * What a version keeps about its training data at registration: a sample of training rows with
 * the model's scores on them (the reference distributions for drift, and the background of
 * explanations) and the global permutation importance on the evaluation rows.
 */
export interface VersionReference {
  featureNames: string[];
  features: number[][];
  predictions: number[];
  importance: FeatureImportance[];
  importanceMetric: string;
  importanceBaseline: number;
}

const REFERENCE_ROWS = 1000;

/** The score serving reports per row (server/inference/scoring.ts scoresOf), from tfjs. */
function scores(trained: TrainedModel, m: Matrix): Float64Array {
  const out = predict(trained, m);
  if (trained.kind === 'autoencoder') return Float64Array.from(out.score!);
  const [rows, cols] = out.outputShape;
  if (cols === 1) return Float64Array.from(out.output);
  return Float64Array.from({ length: rows }, (_, i) => 1 - out.output[i * cols]!);
}

function evenly(m: Matrix, n: number): Matrix {
  if (m.rows <= n) return m;
  const values = new Float32Array(n * m.cols);
  for (let r = 0; r < n; r++) {
    const src = Math.floor((r * m.rows) / n);
    values.set(m.values.subarray(src * m.cols, (src + 1) * m.cols), r * m.cols);
  }
  return { values, rows: n, cols: m.cols };
}

/**
 * Loss per kind for the importance: regressors MSE, binary classifiers the Brier score,
 * multiclass the error rate, the autoencoder its mean anomaly score (no labels needed).
 */
export function versionReference(
  trained: TrainedModel,
  train: Matrix,
  evaluation: Matrix,
  evalLabels: ArrayLike<number> | null,
): VersionReference | null {
  if (trained.kind === 'cnn-regressor') return null;
  const sample = evenly(train, REFERENCE_ROWS);
  const rowsOf = (m: Matrix) =>
    Array.from({ length: m.rows }, (_, r) => Array.from(m.values.subarray(r * m.cols, (r + 1) * m.cols)));
  const ev = evenly(evaluation, 2000);
  const labels = evalLabels
    ? Array.from({ length: ev.rows }, (_, r) => Number(evalLabels[Math.floor((r * evaluation.rows) / ev.rows)]))
    : null;
  let metric: string;
  let loss: (values: Float32Array, rows: number) => number;
  const matrix = (values: Float32Array, rows: number): Matrix => ({ values, rows, cols: ev.cols });
  if (trained.kind === 'autoencoder' || !labels) {
    metric = 'mean_score';
    loss = (v, n) => scores(trained, matrix(v, n)).reduce((a, b) => a + b, 0) / n;
  } else if (trained.kind === 'mlp-regressor') {
    metric = 'mse';
    loss = (v, n) => scores(trained, matrix(v, n)).reduce((a, s, i) => a + (s - labels[i]!) ** 2, 0) / n;
  } else if (trained.binary) {
    metric = 'brier';
    loss = (v, n) => scores(trained, matrix(v, n)).reduce((a, s, i) => a + (s - labels[i]!) ** 2, 0) / n;
  } else {
    metric = 'error_rate';
    loss = (v, n) => {
      const out = predict(trained, matrix(v, n));
      const k = out.outputShape[1];
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (out.output[i * k + c]! > out.output[i * k + best]!) best = c;
        if (best !== labels[i]) wrong++;
      }
      return wrong / n;
    };
  }
  const imp = permutationImportance(loss, ev.values, ev.rows, trained.featureNames, { repeats: 3 });
  return {
    featureNames: trained.featureNames,
    features: rowsOf(sample),
    predictions: Array.from(scores(trained, sample)),
    importance: imp.features,
    importanceMetric: metric,
    importanceBaseline: imp.baseline,
  };
}
