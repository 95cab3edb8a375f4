import type { TrainingParams } from '~/server/contracts/training';
import type { MaterialisedDataset } from '~/server/training/materialised';
import { informativeColumns, selectColumns } from './datasets/cmapss';
import { splitByGroup, type GroupSplit } from './datasets/group-split';
import { exponentialSmoothing } from './datasets/smoothing';
import type { Matrix } from './datasets/types';
import { slidingWindows, type WindowedDataset } from './datasets/windows';
import type { ModelKind } from './models/types';
import { RUL_CNN_DEFAULTS } from './presets';

/**
 * From a stored dataset version to model inputs (pure): group split, imputation fitted on the
 * training groups, and for the 1D-CNN the same preparation as the C-MAPSS preset (uninformative
 * columns dropped, causal smoothing, the order column as a feature, sliding windows).
 */

export interface SplitPlan {
  validationFraction: number;
  testFraction: number;
  seed: number;
}

export function splitPlan(kind: ModelKind, groupCount: number, p: TrainingParams): SplitPlan {
  const validationFraction =
    p.validationFraction ?? (kind === 'cnn-regressor' ? RUL_CNN_DEFAULTS.validationFraction : 0.25);
  // Detectors and classifiers are scored on groups used for neither fitting nor the threshold /
  // early stopping; with too few groups the validation groups are scored instead.
  const wantTest = kind === 'autoencoder' || kind === 'mlp-classifier';
  const testFraction = p.testFraction ?? (wantTest && groupCount >= 4 ? 0.25 : 0);
  return {
    validationFraction,
    testFraction,
    seed: p.splitSeed ?? (kind === 'cnn-regressor' ? RUL_CNN_DEFAULTS.splitSeed : 42),
  };
}

/** Per-column mean of the training rows' present values (0 when a column has none). */
export function imputationFill(
  d: Pick<MaterialisedDataset, 'features' | 'featureNames'>,
  trainRows: readonly number[],
): number[] {
  const cols = d.featureNames.length;
  const sum = new Float64Array(cols);
  const n = new Float64Array(cols);
  for (const r of trainRows) {
    for (let c = 0; c < cols; c++) {
      const v = d.features[r * cols + c]!;
      if (!Number.isNaN(v)) {
        sum[c]! += v;
        n[c]! += 1;
      }
    }
  }
  return Array.from(sum, (s, c) => (n[c]! > 0 ? s / n[c]! : 0));
}

export function imputed(features: Float32Array, fill: readonly number[]): Float32Array {
  const cols = fill.length;
  const out = Float32Array.from(features);
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]!)) out[i] = fill[i % cols]!;
  return out;
}

export interface TabularPrepared {
  shape: 'tabular';
  featureNames: string[];
  matrix: Matrix;
  split: GroupSplit;
  fill: number[];
}

export interface SequencePrepared {
  shape: 'windows';
  featureNames: string[];
  /** Imputed, filtered, smoothed row matrix the windows were cut from. */
  matrix: Matrix;
  windowed: WindowedDataset;
  split: GroupSplit;
  fill: number[];
  windowLength: number;
  smoothing: number;
  includeOrder: boolean;
  dropped: string[];
}

export function prepareTabular(d: MaterialisedDataset, plan: SplitPlan): TabularPrepared {
  const split = splitByGroup(d.groups, plan);
  const fill = imputationFill(d, split.train);
  return {
    shape: 'tabular',
    featureNames: d.featureNames,
    matrix: { values: imputed(d.features, fill), rows: d.rows, cols: d.featureNames.length },
    split,
    fill,
  };
}

export function prepareSequences(d: MaterialisedDataset, plan: SplitPlan, p: TrainingParams): SequencePrepared {
  const windowLength = p.windowLength ?? RUL_CNN_DEFAULTS.windowLength;
  const smoothing = p.smoothing ?? RUL_CNN_DEFAULTS.dataset.smoothing;
  const includeOrder = p.includeOrder ?? RUL_CNN_DEFAULTS.dataset.includeCycle;
  // The split is by group, so it is the same whether taken over rows or windows.
  const rowSplit = splitByGroup(d.groups, plan);
  const fillAll = imputationFill(d, rowSplit.train);
  const full: Matrix = { values: imputed(d.features, fillAll), rows: d.rows, cols: d.featureNames.length };
  const sel = informativeColumns(full, d.featureNames, d.featureNames);
  let matrix = selectColumns(full, sel.indices);
  const names = sel.names.slice();
  if (smoothing !== 1) matrix = exponentialSmoothing(matrix, d.groups, smoothing);
  if (includeOrder) {
    const withOrder = new Float32Array(matrix.rows * (matrix.cols + 1));
    for (let r = 0; r < matrix.rows; r++) {
      withOrder.set(matrix.values.subarray(r * matrix.cols, (r + 1) * matrix.cols), r * (matrix.cols + 1));
      withOrder[r * (matrix.cols + 1) + matrix.cols] = d.order[r]!;
    }
    matrix = { values: withOrder, rows: matrix.rows, cols: matrix.cols + 1 };
    names.push(d.orderName);
  }
  const windowed = slidingWindows(matrix, d.labels, d.groups, windowLength, 1, RUL_CNN_DEFAULTS.windows);
  const split = splitByGroup(windowed.groups, plan);
  return {
    shape: 'windows',
    featureNames: names,
    matrix,
    windowed,
    split,
    fill: sel.indices.map((c) => fillAll[c]!),
    windowLength,
    smoothing,
    includeOrder,
    dropped: sel.dropped,
  };
}
