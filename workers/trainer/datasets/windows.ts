import type { Matrix, Windows } from './types';

export interface WindowedDataset {
  windows: Windows;
  /** Label of the window's last row (the "now" the model predicts for). */
  labels: Float32Array;
  /** Group of each window, for splitting windows by unit. */
  groups: string[];
  /** Row index of each window's last row in the source matrix. */
  endRows: number[];
}

export interface SlidingWindowOptions {
  /**
   * A group shorter than `steps` yields one window ending at its last row, padded at the front by
   * repeating its first row (engines observed for fewer cycles than the window still get a
   * prediction). Off by default: such groups yield no window.
   */
  padShortGroups?: boolean;
}

/**
 * Sliding windows of `steps` consecutive rows within each group; a window never crosses groups.
 * Rows must be ordered in time within a group; groups may be interleaved. Groups shorter than
 * `steps` yield no window unless `padShortGroups`.
 */
export function slidingWindows(
  features: Matrix,
  labels: ArrayLike<number>,
  groupOfRow: ArrayLike<string | number>,
  steps: number,
  stride = 1,
  options: SlidingWindowOptions = {},
): WindowedDataset {
  if (steps < 1 || stride < 1) throw new Error('steps and stride must be >= 1');
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < features.rows; i++) {
    const g = String(groupOfRow[i]);
    let rows = byGroup.get(g);
    if (!rows) byGroup.set(g, (rows = []));
    rows.push(i);
  }
  const starts: { rows: number[]; at: number; group: string }[] = [];
  for (const [group, rows] of byGroup) {
    for (let end = rows.length - 1; end >= steps - 1; end -= stride)
      starts.unshift({ rows, at: end - steps + 1, group });
    if (options.padShortGroups && rows.length < steps) starts.push({ rows, at: rows.length - steps, group });
  }
  // Stable order: by group first-appearance, then by time.
  const groupOrder = new Map([...byGroup.keys()].map((g, i) => [g, i]));
  starts.sort((a, b) => groupOrder.get(a.group)! - groupOrder.get(b.group)! || a.at - b.at);

  const size = steps * features.cols;
  const values = new Float32Array(starts.length * size);
  const out = new Float32Array(starts.length);
  const groups: string[] = [];
  const endRows: number[] = [];
  starts.forEach((s, k) => {
    for (let t = 0; t < steps; t++) {
      // A negative index only occurs for a padded short group: repeat its first row.
      const r = s.rows[Math.max(0, s.at + t)]!;
      values.set(features.values.subarray(r * features.cols, (r + 1) * features.cols), k * size + t * features.cols);
    }
    const last = s.rows[s.at + steps - 1]!;
    out[k] = labels[last] as number;
    groups.push(s.group);
    endRows.push(last);
  });
  return { windows: { values, count: starts.length, steps, features: features.cols }, labels: out, groups, endRows };
}
