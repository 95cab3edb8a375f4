import { metricGateSchema, type MetricGate } from '../contracts/models';

/**
 * Metric gates for alias moves. A gate is checked against the candidate version's final metrics
 * (ModelVersion.metrics) before an alias moves; a refused gate says why in words a person can act on.
 */

export { metricGateSchema, type MetricGate };

export type Metrics = Record<string, number | null | undefined>;

export type GateResult = { ok: true; detail: string } | { ok: false; reason: string };

// Errors and losses fall; scores (F1, AUC, accuracy…) rise.
const LOWER_IS_BETTER = /(rmse|mae|mse|loss|error|latency|delay|fpr|false_positive)/i;

export function metricDirection(metric: string): 'higher' | 'lower' {
  return LOWER_IS_BETTER.test(metric) ? 'lower' : 'higher';
}

/** Reads a metric as a finite number; anything else (absent, null, NaN, a string) is "missing". */
export function metricValue(metrics: unknown, name: string): number | null {
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) return null;
  const v = (metrics as Record<string, unknown>)[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());

/**
 * Pure: does the candidate pass the gate? `current` is the version the alias points at now
 * (null when the alias is new). Labels name the versions in the reasons ("v3").
 */
export function evaluateGate(
  gate: MetricGate,
  candidate: { label: string; metrics: unknown },
  current: { label: string; metrics: unknown } | null,
): GateResult {
  const value = metricValue(candidate.metrics, gate.metric);
  if (value === null) return { ok: false, reason: `${candidate.label} has no "${gate.metric}" metric to gate on` };

  if ('better' in gate) {
    if (!current)
      return {
        ok: true,
        detail: `${gate.metric} = ${fmt(value)}; the alias points at no version yet, so there is nothing to beat`,
      };
    const base = metricValue(current.metrics, gate.metric);
    if (base === null)
      return {
        ok: false,
        reason: `the current target ${current.label} has no "${gate.metric}" metric to compare with`,
      };
    const direction = gate.direction ?? metricDirection(gate.metric);
    const better = direction === 'higher' ? value > base : value < base;
    const word = direction === 'higher' ? 'higher' : 'lower';
    if (!better)
      return {
        ok: false,
        reason: `${gate.metric} of ${candidate.label} (${fmt(value)}) is not ${word} than ${current.label}'s (${fmt(base)})`,
      };
    return {
      ok: true,
      detail: `${gate.metric} ${fmt(value)} beats ${current.label}'s ${fmt(base)} (${word} is better)`,
    };
  }

  if (gate.min !== undefined && value < gate.min)
    return {
      ok: false,
      reason: `${gate.metric} of ${candidate.label} is ${fmt(value)}, below the minimum ${fmt(gate.min)}`,
    };
  if (gate.max !== undefined && value > gate.max)
    return {
      ok: false,
      reason: `${gate.metric} of ${candidate.label} is ${fmt(value)}, above the maximum ${fmt(gate.max)}`,
    };
  const bounds = [
    gate.min !== undefined ? `≥ ${fmt(gate.min)}` : null,
    gate.max !== undefined ? `≤ ${fmt(gate.max)}` : null,
  ]
    .filter(Boolean)
    .join(' and ');
  return { ok: true, detail: `${gate.metric} = ${fmt(value)} ${bounds}` };
}

export function describeGate(gate: MetricGate): string {
  if ('better' in gate)
    return `${gate.metric} better than the current target (${gate.direction ?? metricDirection(gate.metric)} is better)`;
  return [
    gate.min !== undefined ? `${gate.metric} ≥ ${fmt(gate.min)}` : null,
    gate.max !== undefined ? `${gate.metric} ≤ ${fmt(gate.max)}` : null,
  ]
    .filter(Boolean)
    .join(' and ');
}
