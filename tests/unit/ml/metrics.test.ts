import { describe, expect, it } from 'vitest';
import {
  binaryMetrics,
  confusionMatrix,
  mae,
  multiclassMetrics,
  percentile,
  rmse,
  rocAuc,
} from '~/workers/trainer/metrics';

describe('classification metrics', () => {
  it('computes precision, recall and F1 like the hand calculation', () => {
    // actual:    1 1 1 0 0 0 0 1
    // predicted: 1 0 1 1 0 0 0 1  -> tp=3 fn=1 fp=1 tn=3
    const m = binaryMetrics([1, 1, 1, 0, 0, 0, 0, 1], [1, 0, 1, 1, 0, 0, 0, 1]);
    expect(m).toMatchObject({ tp: 3, fn: 1, fp: 1, tn: 3 });
    expect(m.precision).toBeCloseTo(0.75, 12);
    expect(m.recall).toBeCloseTo(0.75, 12);
    expect(m.f1).toBeCloseTo(0.75, 12);
    expect(m.accuracy).toBeCloseTo(0.75, 12);
  });

  it('handles asymmetric errors and empty positives without NaN', () => {
    // tp=1 fp=2 fn=0 -> precision 1/3, recall 1, f1 = 2*(1/3)/(4/3) = 0.5
    const m = binaryMetrics([1, 0, 0, 0], [1, 1, 1, 0]);
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.5, 12);
    const none = binaryMetrics([0, 0, 1], [0, 0, 0]);
    expect(none.precision).toBe(0);
    expect(none.f1).toBe(0);
  });

  it('builds the confusion matrix as [actual][predicted] and derives macro metrics', () => {
    const actual = [0, 0, 1, 1, 2, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0, 2];
    expect(confusionMatrix(actual, predicted, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
    const m = multiclassMetrics(actual, predicted, 3);
    // class 0: p=1/2 r=1/2; class 1: p=2/3 r=1; class 2: p=1 r=2/3
    expect(m.perClass[0]!.precision).toBeCloseTo(0.5, 12);
    expect(m.perClass[1]!.precision).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[2]!.recall).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[1]!.f1).toBeCloseTo(0.8, 12);
    expect(m.macro.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3, 12);
    expect(m.accuracy).toBeCloseTo(5 / 7, 12);
    expect(() => confusionMatrix([3], [0], 3)).toThrow(/out of range/);
  });

  it('computes ROC-AUC as the share of correctly ordered positive/negative pairs, ties counting half', () => {
    // positives 0.8, 0.4; negatives 0.5, 0.1: pairs (0.8>0.5, 0.8>0.1, 0.4<0.5, 0.4>0.1) -> 3/4
    expect(rocAuc([1, 0, 1, 0], [0.8, 0.5, 0.4, 0.1])).toBeCloseTo(0.75, 12);
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    // one tie between a positive and a negative: (1 + 0.5) / 2
    expect(rocAuc([1, 0, 1, 0], [0.7, 0.7, 0.9, 0.1])).toBeCloseTo(1 - 0.5 / 4, 12);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });
});

describe('regression metrics', () => {
  it('computes RMSE and MAE', () => {
    // errors 1, -2, 3, 0 -> squares 1+4+9+0=14 -> rmse sqrt(3.5); abs 6 -> mae 1.5
    expect(rmse([1, 2, 3, 4], [0, 4, 0, 4])).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(mae([1, 2, 3, 4], [0, 4, 0, 4])).toBeCloseTo(1.5, 12);
    expect(() => rmse([1], [1, 2])).toThrow(/length/);
  });

  it('interpolates percentiles between ranks', () => {
    expect(percentile([4, 1, 3, 2, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([0, 10], 99)).toBeCloseTo(9.9, 12);
    expect(percentile([7], 99)).toBe(7);
  });
});
