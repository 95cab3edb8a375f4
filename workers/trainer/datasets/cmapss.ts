import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exponentialSmoothing } from './smoothing';
import type { Matrix } from './types';
import { CMAPSS_COLUMNS, CMAPSS_SENSOR_COLUMNS } from '~/server/contracts/training';
import { DEFAULT_RUL_CAP, rulLabels } from '~/server/training/rul';

export interface CmapssData {
  columns: readonly string[];
  /** All 26 columns, including unit and cycle. */
  table: Matrix;
  units: number[];
  cycles: number[];
}

export function parseCmapss(text: string): CmapssData {
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  const units: number[] = [];
  const cycles: number[] = [];
  lines.forEach((raw, lineNo) => {
    const line = raw.trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    if (parts.length !== CMAPSS_COLUMNS.length) {
      throw new Error(`line ${lineNo + 1}: expected ${CMAPSS_COLUMNS.length} columns, got ${parts.length}`);
    }
    for (const p of parts) {
      const v = Number(p);
      if (!Number.isFinite(v)) throw new Error(`line ${lineNo + 1}: not a number: ${p}`);
      values.push(v);
    }
    units.push(Number(parts[0]));
    cycles.push(Number(parts[1]));
  });
  const cols = CMAPSS_COLUMNS.length;
  return {
    columns: CMAPSS_COLUMNS,
    table: { values: Float32Array.from(values), rows: units.length, cols },
    units,
    cycles,
  };
}

export async function readCmapssFile(path: string): Promise<CmapssData> {
  return parseCmapss(await readFile(path, 'utf8'));
}

export interface ColumnSelection {
  names: string[];
  indices: number[];
  dropped: string[];
}

/**
 * Columns that carry no signal: fewer than `minDistinct` distinct values. Three by default because
 * FD001 sensor 6 only toggles between two quantisation levels, which the usual 14-sensor set drops.
 */
export function informativeColumns(
  table: Matrix,
  columns: readonly string[],
  candidates: readonly string[],
  minDistinct = 3,
): ColumnSelection {
  const names: string[] = [];
  const indices: number[] = [];
  const dropped: string[] = [];
  for (const name of candidates) {
    const c = columns.indexOf(name);
    if (c < 0) throw new Error(`unknown column ${name}`);
    const seen = new Set<number>();
    for (let r = 0; r < table.rows && seen.size < minDistinct; r++) seen.add(table.values[r * table.cols + c]!);
    if (seen.size >= minDistinct) {
      names.push(name);
      indices.push(c);
    } else dropped.push(name);
  }
  return { names, indices, dropped };
}

export function selectColumns(table: Matrix, indices: readonly number[]): Matrix {
  const values = new Float32Array(table.rows * indices.length);
  for (let r = 0; r < table.rows; r++) {
    for (let j = 0; j < indices.length; j++)
      values[r * indices.length + j] = table.values[r * table.cols + indices[j]!]!;
  }
  return { values, rows: table.rows, cols: indices.length };
}

export interface CmapssRulDataset {
  featureNames: string[];
  dropped: string[];
  features: Matrix;
  rul: Float32Array;
  units: number[];
  cycles: number[];
}

export interface CmapssRulOptions {
  cap?: number;
  includeSettings?: boolean;
  /**
   * Causal exponential smoothing of the sensor columns within each unit (see exponentialSmoothing);
   * the alpha of s_t = alpha * x_t + (1 - alpha) * s_{t-1}. Absent or 1: raw readings.
   */
  smoothing?: number;
  /** Appends the cycle number as a feature named 'cycle' (scaled with the others by the trainer). */
  includeCycle?: boolean;
}

/**
 * Features and RUL labels for a C-MAPSS file. Operational settings are left out by default: in the
 * single-condition subsets (FD001, FD003) they are noise around one operating point.
 */
export function cmapssRulDataset(data: CmapssData, options: CmapssRulOptions = {}): CmapssRulDataset {
  const candidates = options.includeSettings ? CMAPSS_COLUMNS.slice(2) : CMAPSS_SENSOR_COLUMNS;
  const sel = informativeColumns(data.table, data.columns, candidates);
  let features = selectColumns(data.table, sel.indices);
  const names = sel.names.slice();
  if (options.smoothing !== undefined && options.smoothing !== 1) {
    const sensors = names.flatMap((n, j) => (n.startsWith('sensor_') ? [j] : []));
    features = exponentialSmoothing(features, data.units, options.smoothing, sensors);
  }
  if (options.includeCycle) {
    const withCycle = new Float32Array(features.rows * (features.cols + 1));
    for (let r = 0; r < features.rows; r++) {
      withCycle.set(features.values.subarray(r * features.cols, (r + 1) * features.cols), r * (features.cols + 1));
      withCycle[r * (features.cols + 1) + features.cols] = data.cycles[r]!;
    }
    features = { values: withCycle, rows: features.rows, cols: features.cols + 1 };
    names.push('cycle');
  }
  return {
    featureNames: names,
    dropped: sel.dropped,
    features,
    rul: rulLabels(data.units, data.cycles, options.cap ?? DEFAULT_RUL_CAP),
    units: data.units,
    cycles: data.cycles,
  };
}

/**
 * Where the C-MAPSS files live: $CMAPSS_DIR, else `../shared/datasets/cmapss` beside the repository
 * root (the layout of the dev machine and of CI clones). Resolved from this file, not the cwd.
 */
export function cmapssDir(env: Record<string, string | undefined> = process.env): string {
  if (env.CMAPSS_DIR) return path.resolve(env.CMAPSS_DIR);
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return path.resolve(repoRoot, '../shared/datasets/cmapss');
}
