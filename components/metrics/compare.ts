/**
 * The pure side of the experiment compare view (MLflow's "compare runs"): readable labels for
 * metric and parameter keys, which direction is better for each metric, the best value of a row,
 * the rows that differ between runs, and sorting runs by a metric. No React here, so unit tests
 * call it directly.
 */
import { humanizeKey } from '~/components/forms/issues';

/** Where a metric's best value lies. Metrics not listed have no "best" (e.g. a threshold). */
export type Direction = 'lower' | 'higher';

/**
 * The one definition of "better" for every metric the trainer reports: errors, losses and
 * delays are better low; scores and rates are better high.
 */
export const METRIC_DIRECTION: Readonly<Record<string, Direction>> = {
  loss: 'lower',
  valLoss: 'lower',
  rmse: 'lower',
  testRmse: 'lower',
  mae: 'lower',
  mse: 'lower',
  meanDetectionDelayS: 'lower',
  medianDetectionDelayS: 'lower',
  falseAlarmRate: 'lower',
  f1: 'higher',
  macroF1: 'higher',
  rocAuc: 'higher',
  auc: 'higher',
  accuracy: 'higher',
  precision: 'higher',
  recall: 'higher',
  r2: 'higher',
  detectionRate: 'higher',
};

export const metricDirection = (key: string): Direction | undefined => METRIC_DIRECTION[key];

/** Metrics in the order people read them (headline quality first, bookkeeping last). */
export const METRIC_ORDER = [
  'rmse',
  'mae',
  'precision',
  'recall',
  'f1',
  'rocAuc',
  'accuracy',
  'macroF1',
  'threshold',
  'meanDetectionDelayS',
  'medianDetectionDelayS',
  'detectionRate',
  'testRmse',
  'bestEpoch',
  'epochs',
  'trainSeconds',
] as const;

export const METRIC_LABELS: Readonly<Record<string, string>> = {
  loss: 'Training loss',
  valLoss: 'Validation loss',
  rmse: 'RMSE',
  mae: 'MAE',
  mse: 'MSE',
  r2: 'R²',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  rocAuc: 'ROC-AUC',
  auc: 'AUC',
  accuracy: 'Accuracy',
  macroF1: 'Macro F1',
  threshold: 'Threshold',
  meanDetectionDelayS: 'Mean detection delay (s)',
  medianDetectionDelayS: 'Median detection delay (s)',
  detectionRate: 'Faults detected',
  falseAlarmRate: 'False alarm rate',
  testRmse: 'Test RMSE',
  bestEpoch: 'Best epoch',
  epochs: 'Epochs run',
  trainSeconds: 'Training time (s)',
};

/** The training form's words for its hyper-parameters (components/training/training-form.tsx). */
export const PARAM_LABELS: Readonly<Record<string, string>> = {
  epochs: 'Max epochs',
  batchSize: 'Batch size',
  patience: 'Early-stopping patience',
  learningRate: 'Learning rate',
  thresholdPercentile: 'Threshold percentile',
  hidden: 'Hidden layers',
  dropout: 'Dropout',
  windowLength: 'Window length (rows)',
  smoothing: 'Smoothing alpha',
  learningRateDecay: 'Learning-rate decay / epoch',
  seed: 'Random seed',
  validationSplit: 'Validation split',
};

/** "rocAuc" → "ROC-AUC"; unknown keys read as words ("someNewMetric" → "Some new metric"). */
export const metricLabel = (key: string): string => METRIC_LABELS[key] ?? humanizeKey(key) ?? key;
export const paramLabel = (key: string): string => PARAM_LABELS[key] ?? humanizeKey(key) ?? key;

/** Metric keys in reading order: the known ones first, then the rest alphabetically. */
export function orderMetrics(keys: Iterable<string>): string[] {
  const set = new Set(keys);
  const known = METRIC_ORDER.filter((k) => set.has(k));
  const rest = [...set].filter((k) => !(METRIC_ORDER as readonly string[]).includes(k)).sort();
  return [...known, ...rest];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** True when the values are not all equal (a missing value counts as different from a present one). */
export function differs(values: readonly unknown[]): boolean {
  return values.some((v) => !same(v, values[0]));
}

/**
 * Indexes of the best value among `values` for `key` (ties all win); empty when the metric has
 * no direction, fewer than two numbers are present, or every number is the same (nothing stands out).
 */
export function bestIndexes(key: string, values: readonly (number | null | undefined)[]): number[] {
  const dir = metricDirection(key);
  if (!dir) return [];
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (nums.length < 2) return [];
  const best = dir === 'lower' ? Math.min(...nums) : Math.max(...nums);
  if (nums.every((v) => v === best)) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

export interface CompareRun {
  id: string;
  params: Record<string, unknown>;
  metrics: Record<string, number | null> | null;
}

export interface CompareRow {
  key: string;
  label: string;
  values: unknown[];
  differs: boolean;
  best: number[];
}

/** The compare table's two sections; with `diffOnly`, rows equal across every run are left out. */
export function compareSections(
  runs: readonly CompareRun[],
  diffOnly: boolean,
): { metrics: CompareRow[]; params: CompareRow[] } {
  const metricKeys = orderMetrics(runs.flatMap((r) => Object.keys(r.metrics ?? {})));
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort((a, b) =>
    paramLabel(a).localeCompare(paramLabel(b)),
  );
  const keep = (row: CompareRow) => !diffOnly || row.differs;
  const metrics = metricKeys.map((key) => {
    const values = runs.map((r) => r.metrics?.[key] ?? null);
    return { key, label: metricLabel(key), values, differs: differs(values), best: bestIndexes(key, values) };
  });
  const params = paramKeys.map((key) => {
    const values = runs.map((r) => r.params[key]);
    return { key, label: paramLabel(key), values, differs: differs(values), best: [] };
  });
  return { metrics: metrics.filter(keep), params: params.filter(keep) };
}

export type SortDir = 'asc' | 'desc';

/** Runs sorted by one metric; runs without it always go last, whichever the direction. */
export function sortByMetric<R extends { metrics: Record<string, number | null> | null }>(
  runs: readonly R[],
  key: string,
  dir: SortDir,
): R[] {
  const value = (r: R) => {
    const v = r.metrics?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return [...runs].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === null ? (vb === null ? 0 : 1) : -1;
    return dir === 'asc' ? va - vb : vb - va;
  });
}

/** The first click on a metric's header sorts best-first. */
export const bestFirst = (key: string): SortDir => (metricDirection(key) === 'lower' ? 'asc' : 'desc');

/** A parameter value as people read it: lists comma-separated, missing as "default". */
export function formatParam(v: unknown): string {
  if (v === undefined || v === null) return 'default';
  if (Array.isArray(v)) return v.map((x) => formatParam(x)).join(', ');
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
