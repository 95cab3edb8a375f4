import { describe, expect, it } from 'vitest';
import {
  bestFirst,
  bestIndexes,
  compareSections,
  differs,
  formatParam,
  metricDirection,
  metricLabel,
  paramLabel,
  sortByMetric,
} from '~/components/metrics/compare';
import { axisScale, axisTicks } from '~/components/charts/parallel-scale';

const runs = [
  {
    id: 'a',
    params: { learningRate: 0.001, batchSize: 32, hidden: [16, 8] },
    metrics: { rmse: 0.5, f1: 0.8, loss: 1 },
  },
  { id: 'b', params: { learningRate: 0.01, batchSize: 32, hidden: [16, 8] }, metrics: { rmse: 0.3, f1: 0.9, loss: 1 } },
  { id: 'c', params: { learningRate: 0.1, batchSize: 32 }, metrics: { rmse: 0.4, f1: null, loss: 1 } },
];

describe('experiment compare', () => {
  it('knows which way is better for each metric, from one list', () => {
    for (const k of ['loss', 'rmse', 'mae']) expect(metricDirection(k)).toBe('lower');
    for (const k of ['f1', 'rocAuc', 'accuracy']) expect(metricDirection(k)).toBe('higher');
    expect(metricDirection('threshold')).toBeUndefined();
    expect(bestFirst('rmse')).toBe('asc');
    expect(bestFirst('f1')).toBe('desc');
  });

  it('picks the lowest error and the highest score, ties included, nothing when all equal', () => {
    expect(bestIndexes('rmse', [0.5, 0.3, 0.4])).toEqual([1]);
    expect(bestIndexes('f1', [0.8, 0.9, null])).toEqual([1]);
    expect(bestIndexes('accuracy', [0.9, 0.7, 0.9])).toEqual([0, 2]);
    expect(bestIndexes('loss', [1, 1, 1])).toEqual([]);
    expect(bestIndexes('threshold', [0.1, 0.2])).toEqual([]);
    expect(bestIndexes('f1', [0.8, null])).toEqual([]);
  });

  it('diff-only leaves out rows equal across runs and keeps params apart from metrics', () => {
    expect(differs([1, 1, 1])).toBe(false);
    expect(
      differs([
        [16, 8],
        [16, 8],
      ]),
    ).toBe(false);
    expect(differs([[16, 8], undefined])).toBe(true);
    const all = compareSections(runs, false);
    expect(all.metrics.map((r) => r.key)).toEqual(['rmse', 'f1', 'loss']);
    expect(all.params.map((r) => r.key)).toEqual(['batchSize', 'hidden', 'learningRate']);
    const diff = compareSections(runs, true);
    expect(diff.metrics.map((r) => r.key)).toEqual(['rmse', 'f1']);
    expect(diff.params.map((r) => r.key)).toEqual(['hidden', 'learningRate']);
    expect(diff.metrics[0]).toMatchObject({ label: 'RMSE', best: [1] });
  });

  it('labels keys in words, not camelCase', () => {
    expect(metricLabel('rocAuc')).toBe('ROC-AUC');
    expect(metricLabel('meanDetectionDelayS')).toBe('Mean detection delay (s)');
    expect(metricLabel('someNewScore')).toBe('Some new score');
    expect(paramLabel('learningRate')).toBe('Learning rate');
    expect(paramLabel('batchSize')).toBe('Batch size');
    expect(formatParam([16, 8])).toBe('16, 8');
    expect(formatParam(undefined)).toBe('default');
  });

  it('sorts runs by a metric either way, runs without it last', () => {
    expect(sortByMetric(runs, 'rmse', 'asc').map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(sortByMetric(runs, 'rmse', 'desc').map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(sortByMetric(runs, 'f1', 'asc').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sortByMetric(runs, 'f1', 'desc').map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  it('parallel axes scale numbers (log over two decades) and categories', () => {
    const lr = axisScale([0.001, 0.01, 0.1]);
    expect(lr.kind).toBe('log');
    expect(lr.at(0.01)).toBeCloseTo(0.5);
    const bs = axisScale([16, 32, 64]);
    expect(bs.kind).toBe('linear');
    expect(bs.at(32)).toBeCloseTo(1 / 3);
    expect(axisScale([5, 5]).at(5)).toBe(0.5);
    const hidden = axisScale([[16, 8], [32], undefined]);
    expect(hidden.kind).toBe('category');
    expect(axisTicks(hidden, String).map((t) => t.label)).toEqual(['16, 8', '32', 'default']);
    expect(hidden.at([32])).toBe(0.5);
    expect(axisTicks(bs, String)).toEqual([
      { at: 0, label: '16' },
      { at: 1, label: '64' },
    ]);
  });
});
