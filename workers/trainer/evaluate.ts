import type { FaultInterval } from '~/server/training/materialised';
import { binaryMetrics, mae, multiclassMetrics, percentile, rmse, rocAuc } from './metrics';

/**
 * Final metrics of a run (pure). Keys are flat numbers so the registry, the compare view and the
 * REST API read them the same way.
 */
export type Metrics = Record<string, number | null>;

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export function binaryEvaluation(
  actual: ArrayLike<number>,
  scores: ArrayLike<number>,
  predicted: ArrayLike<boolean | number>,
): Metrics {
  const m = binaryMetrics(
    Array.from(actual, (a) => a > 0),
    predicted,
  );
  return {
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    accuracy: m.accuracy,
    rocAuc: finite(
      rocAuc(
        Array.from(actual, (a) => (a > 0 ? 1 : 0)),
        scores,
      ),
    ),
    tp: m.tp,
    fp: m.fp,
    tn: m.tn,
    fn: m.fn,
    evaluatedRows: actual.length,
  };
}

export function multiclassEvaluation(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): Metrics {
  const m = multiclassMetrics(actual, predicted, classes);
  return {
    accuracy: m.accuracy,
    macroPrecision: m.macro.precision,
    macroRecall: m.macro.recall,
    macroF1: m.macro.f1,
    f1: m.macro.f1,
    evaluatedRows: actual.length,
  };
}

export function regressionEvaluation(actual: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  return { rmse: finite(rmse(actual, predicted)), mae: finite(mae(actual, predicted)), evaluatedRows: actual.length };
}

export interface DetectionRow {
  segment: string;
  /** Window end, seconds since the run started. */
  t: number;
  flagged: boolean;
}

export interface DetectionDelays {
  faults: number;
  detected: number;
  /** Seconds from fault onset to the end of the first flagged window that overlaps the fault. */
  delays: number[];
}

/**
 * Fault onset → detection: for every ground-truth fault of an evaluated segment, the first flagged
 * window that overlaps the fault ([t - windowSize, t) ∩ [start, end)). Its end is when a live
 * detector could have raised the alert. A fault never flagged counts as missed.
 */
export function detectionDelays(
  rows: readonly DetectionRow[],
  faults: readonly FaultInterval[],
  windowSize: number,
): DetectionDelays {
  const bySegment = new Map<string, DetectionRow[]>();
  for (const r of rows) {
    let l = bySegment.get(r.segment);
    if (!l) bySegment.set(r.segment, (l = []));
    l.push(r);
  }
  const delays: number[] = [];
  let total = 0;
  for (const f of faults) {
    const seq = bySegment.get(f.segment);
    if (!seq) continue;
    total++;
    const hit = seq.filter((r) => r.flagged && r.t > f.start && r.t - windowSize < f.end).sort((a, b) => a.t - b.t)[0];
    if (hit) delays.push(hit.t - f.start);
  }
  return { faults: total, detected: delays.length, delays };
}

export function delayMetrics(d: DetectionDelays): Metrics {
  if (d.faults === 0) return {};
  return {
    faultsEvaluated: d.faults,
    faultsDetected: d.detected,
    detectionRate: d.detected / d.faults,
    meanDetectionDelayS: d.delays.length ? d.delays.reduce((s, v) => s + v, 0) / d.delays.length : null,
    medianDetectionDelayS: d.delays.length ? percentile(d.delays, 50) : null,
  };
}
