import { describe, expect, it } from 'vitest';
import { describeGate, evaluateGate, metricDirection, metricGateSchema } from '~/server/models/gate';

const v = (label: string, metrics: unknown) => ({ label, metrics });

describe('metric gates', () => {
  it('a minimum passes at or above it and refuses below it, naming the metric and values', () => {
    const gate = metricGateSchema.parse({ metric: 'f1', min: 0.8 });
    expect(evaluateGate(gate, v('v2', { f1: 0.8 }), null)).toMatchObject({ ok: true });
    expect(evaluateGate(gate, v('v2', { f1: 0.91 }), null)).toEqual({ ok: true, detail: 'f1 = 0.91 ≥ 0.8' });
    expect(evaluateGate(gate, v('v2', { f1: 0.79 }), null)).toEqual({
      ok: false,
      reason: 'f1 of v2 is 0.79, below the minimum 0.8',
    });
  });

  it('a maximum (errors) refuses above it; min and max together bound both sides', () => {
    const gate = metricGateSchema.parse({ metric: 'rmse', max: 13 });
    expect(evaluateGate(gate, v('v4', { rmse: 12.4 }), null).ok).toBe(true);
    expect(evaluateGate(gate, v('v4', { rmse: 13.2 }), null)).toEqual({
      ok: false,
      reason: 'rmse of v4 is 13.2, above the maximum 13',
    });
    const both = metricGateSchema.parse({ metric: 'recall', min: 0.5, max: 0.99 });
    expect(evaluateGate(both, v('v1', { recall: 1 }), null).ok).toBe(false);
    expect(evaluateGate(both, v('v1', { recall: 0.7 }), null).ok).toBe(true);
  });

  it('a version without the metric (absent, null, NaN, non-number) is refused, never passed', () => {
    const gate = metricGateSchema.parse({ metric: 'f1', min: 0 });
    for (const metrics of [{}, { f1: null }, { f1: Number.NaN }, { f1: '0.9' }, null, [0.9]]) {
      expect(evaluateGate(gate, v('v3', metrics), null)).toEqual({
        ok: false,
        reason: 'v3 has no "f1" metric to gate on',
      });
    }
  });

  it('"better than the current target" uses the metric direction: higher F1, lower RMSE', () => {
    const f1 = metricGateSchema.parse({ metric: 'f1', better: true });
    expect(evaluateGate(f1, v('v3', { f1: 0.9 }), v('v2', { f1: 0.85 }))).toMatchObject({ ok: true });
    expect(evaluateGate(f1, v('v3', { f1: 0.8 }), v('v2', { f1: 0.85 }))).toEqual({
      ok: false,
      reason: "f1 of v3 (0.8) is not higher than v2's (0.85)",
    });
    // A tie is not an improvement.
    expect(evaluateGate(f1, v('v3', { f1: 0.85 }), v('v2', { f1: 0.85 })).ok).toBe(false);
    const rmse = metricGateSchema.parse({ metric: 'rmse', better: true });
    expect(evaluateGate(rmse, v('v3', { rmse: 11.5 }), v('v2', { rmse: 12 })).ok).toBe(true);
    expect(evaluateGate(rmse, v('v3', { rmse: 12.5 }), v('v2', { rmse: 12 }))).toEqual({
      ok: false,
      reason: "rmse of v3 (12.5) is not lower than v2's (12)",
    });
    // An explicit direction wins over the name.
    const custom = metricGateSchema.parse({ metric: 'coverage_loss', better: true, direction: 'higher' });
    expect(evaluateGate(custom, v('v3', { coverage_loss: 2 }), v('v2', { coverage_loss: 1 })).ok).toBe(true);
  });

  it('"better" passes when the alias is new, and refuses when the current target lacks the metric', () => {
    const gate = metricGateSchema.parse({ metric: 'f1', better: true });
    expect(evaluateGate(gate, v('v1', { f1: 0.5 }), null)).toMatchObject({ ok: true });
    expect(evaluateGate(gate, v('v2', { f1: 0.9 }), v('v1', { rmse: 3 }))).toEqual({
      ok: false,
      reason: 'the current target v1 has no "f1" metric to compare with',
    });
  });

  it('directions guessed from metric names', () => {
    expect(['rmse', 'mae', 'val_loss', 'mse', 'detection_delay'].map(metricDirection)).toEqual([
      'lower',
      'lower',
      'lower',
      'lower',
      'lower',
    ]);
    expect(['f1', 'precision', 'recall', 'roc_auc', 'accuracy'].map(metricDirection)).toEqual([
      'higher',
      'higher',
      'higher',
      'higher',
      'higher',
    ]);
  });

  it('the schema refuses gates that cannot be checked', () => {
    expect(metricGateSchema.safeParse({ metric: 'f1' }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: 'f1', min: 0.9, max: 0.1 }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: '', min: 1 }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: 'f1; drop table', min: 1 }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: 'f1', better: false }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: 'f1', min: Number.POSITIVE_INFINITY }).success).toBe(false);
    expect(metricGateSchema.safeParse({ metric: 'f1', min: 0.5, better: true }).success).toBe(false);
  });

  it('describes gates for the audit log and history', () => {
    expect(describeGate(metricGateSchema.parse({ metric: 'f1', min: 0.8 }))).toBe('f1 ≥ 0.8');
    expect(describeGate(metricGateSchema.parse({ metric: 'rmse', max: 13 }))).toBe('rmse ≤ 13');
    expect(describeGate(metricGateSchema.parse({ metric: 'rmse', better: true }))).toBe(
      'rmse better than the current target (lower is better)',
    );
  });
});
