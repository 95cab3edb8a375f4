import { summarise, type SampleSummary } from './sequential';

/**
 * Outcome metrics of served predictions once their observed labels arrive (pure). Each labelled
 * prediction has a loss; the sequential test compares the variants' mean loss, so lower is better:
 * - regressors: squared error (the variant's RMSE is the root of its mean);
 * - anomaly detectors and classifiers: 0/1 misclassification (its mean is the error rate).
 */
export type OutcomeMetric = 'squared_error' | 'error_rate';

export const REGRESSOR_KINDS: readonly string[] = ['mlp-regressor', 'cnn-regressor'];

export function metricOf(kind: string): OutcomeMetric {
  return REGRESSOR_KINDS.includes(kind) ? 'squared_error' : 'error_rate';
}

export interface LabelledPrediction {
  score: number;
  label: string | null;
  observed: number | null;
  observedLabel: string | null;
}

/** The loss of one labelled prediction, or null when its label cannot be compared with the prediction. */
export function lossOf(kind: string, p: LabelledPrediction): number | null {
  if (metricOf(kind) === 'squared_error') return p.observed === null ? null : (p.score - p.observed) ** 2;
  if (kind === 'autoencoder') {
    if (p.label === null || p.observed === null) return null;
    return (p.label === 'anomaly' ? 1 : 0) === (p.observed >= 0.5 ? 1 : 0) ? 0 : 1;
  }
  const observed = p.observedLabel ?? (p.observed === null ? null : String(p.observed));
  if (p.label === null || observed === null) return null;
  return p.label === observed ? 0 : 1;
}

export interface VariantOutcome {
  n: number;
  metric: OutcomeMetric;
  /** Mean loss: MSE or error rate. */
  meanLoss: number | null;
  /** RMSE for regressors, accuracy for the others. */
  headline: { name: 'rmse' | 'accuracy'; value: number | null };
  summary: SampleSummary;
}

export function variantOutcome(kind: string, rows: readonly LabelledPrediction[]): VariantOutcome {
  const metric = metricOf(kind);
  const losses: number[] = [];
  for (const r of rows) {
    const l = lossOf(kind, r);
    if (l !== null && Number.isFinite(l)) losses.push(l);
  }
  const summary = summarise(losses);
  const meanLoss = summary.n > 0 ? summary.mean : null;
  return {
    n: summary.n,
    metric,
    meanLoss,
    headline:
      metric === 'squared_error'
        ? { name: 'rmse', value: meanLoss === null ? null : Math.sqrt(meanLoss) }
        : { name: 'accuracy', value: meanLoss === null ? null : 1 - meanLoss },
    summary,
  };
}
