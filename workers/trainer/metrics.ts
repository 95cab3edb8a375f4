/**
 * Evaluation metrics recorded with every training run. Pure functions over plain arrays so they can
 * be checked by hand and reused by the evaluation step, the registry gate and the tests.
 */

export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryMetrics extends BinaryCounts {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

function assertSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
}

/** Positive class is 1 (or true). */
export function binaryCounts(
  actual: ArrayLike<number | boolean>,
  predicted: ArrayLike<number | boolean>,
): BinaryCounts {
  assertSameLength(actual, predicted);
  const c: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < actual.length; i++) {
    const a = Boolean(actual[i]);
    const p = Boolean(predicted[i]);
    if (a && p) c.tp++;
    else if (!a && p) c.fp++;
    else if (!a && !p) c.tn++;
    else c.fn++;
  }
  return c;
}

// 0/0 is reported as 0 rather than NaN: a model that never predicts positive has no precision to
// speak of, and NaN would poison averages and JSON.
function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

export function binaryMetrics(
  actual: ArrayLike<number | boolean>,
  predicted: ArrayLike<number | boolean>,
): BinaryMetrics {
  const c = binaryCounts(actual, predicted);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    ...c,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
  };
}

/** matrix[actual][predicted], classes 0..numClasses-1. */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  assertSameLength(actual, predicted);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const p = predicted[i] as number;
    if (!Number.isInteger(a) || !Number.isInteger(p) || a < 0 || p < 0 || a >= numClasses || p >= numClasses) {
      throw new Error(`class index out of range at ${i}: actual=${a} predicted=${p}`);
    }
    (m[a] as number[])[p]! += 1;
  }
  return m;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface MulticlassMetrics {
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  accuracy: number;
  confusion: number[][];
}

export function multiclassMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): MulticlassMetrics {
  const confusion = confusionMatrix(actual, predicted, numClasses);
  const perClass: ClassMetrics[] = [];
  let correct = 0;
  for (let k = 0; k < numClasses; k++) {
    const tp = confusion[k]![k]!;
    correct += tp;
    const support = confusion[k]!.reduce((s, v) => s + v, 0);
    const predictedK = confusion.reduce((s, row) => s + row[k]!, 0);
    const precision = ratio(tp, predictedK);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const mean = (f: (c: ClassMetrics) => number) =>
    ratio(
      perClass.reduce((s, c) => s + f(c), 0),
      numClasses,
    );
  return {
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    accuracy: ratio(correct, actual.length),
    confusion,
  };
}

/**
 * Area under the ROC curve via the rank statistic (Mann-Whitney U), with tied scores sharing their
 * average rank so the result equals the trapezoidal area under the curve. NaN when one class is absent.
 */
export function rocAuc(actual: ArrayLike<number | boolean>, scores: ArrayLike<number>): number {
  assertSameLength(actual, scores);
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (actual[idx[k]!]) {
        positives++;
        rankSumPositives += avgRank;
      }
    }
    i = j + 1;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  assertSameLength(actual, predicted);
  if (actual.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] as number) - (predicted[i] as number);
    s += d * d;
  }
  return Math.sqrt(s / actual.length);
}

export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  assertSameLength(actual, predicted);
  if (actual.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs((actual[i] as number) - (predicted[i] as number));
  return s / actual.length;
}

/** Linear interpolation between closest ranks (numpy's default), p in [0, 100]. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new Error(`percentile out of range: ${p}`);
  const sorted = Array.from(values).sort((a, b) => a - b);
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
