import { FeatureSketch, gridFor } from './sketch';
import { chiSquare, jensenShannon, ksFromCounts, psi } from './stats';

/**
 * A drift report of one window against a version's reference, choosing tests as Evidently does:
 * numeric columns by Kolmogorov–Smirnov (p < 0.05) while the reference has at most 1,000 rows,
 * by the Wasserstein distance in reference standard deviations (> 0.1) above that; categorical
 * columns by chi-square (p < 0.05) up to 1,000 reference rows, by the Jensen–Shannon distance
 * (> 0.1) above. PSI is reported alongside. The dataset drifts when at least half of its feature
 * columns do; the prediction column is reported (and tested) on its own.
 */
export const DRIFT = {
  ksAlpha: 0.05,
  chiAlpha: 0.05,
  wassersteinThreshold: 0.1,
  jensenShannonThreshold: 0.1,
  smallReference: 1000,
  datasetShare: 0.5,
  psiBins: 10,
  histogramBins: 20,
} as const;

export type DriftTest = 'ks' | 'wasserstein' | 'chi-square' | 'jensen-shannon';

export interface ColumnDrift {
  column: string;
  type: 'numeric' | 'categorical';
  test: DriftTest;
  /** KS D, normalised Wasserstein, chi-square statistic or JS distance. */
  statistic: number;
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  /** Wasserstein distance / reference std (numeric), JS distance (categorical): always shown. */
  distance: number;
  psi: number;
  referenceRows: number;
  currentRows: number;
  currentNulls: number;
  /** Shares per bin over shared edges, for the overlaid histograms. */
  histogram: { edges: number[]; reference: number[]; current: number[] } | null;
}

export interface DriftReport {
  columns: ColumnDrift[];
  prediction: ColumnDrift | null;
  driftedShare: number;
  datasetDrift: boolean;
  currentRows: number;
}

/** A numeric column of the reference: its grid, its own sketch, its std. */
export interface NumericReference {
  column: string;
  grid: Float64Array;
  sketch: FeatureSketch;
  rows: number;
  mean: number;
  std: number;
}

export function numericReference(column: string, values: ArrayLike<number | null>): NumericReference {
  const grid = gridFor(values);
  const sketch = new FeatureSketch(grid);
  for (let i = 0; i < values.length; i++) sketch.add(values[i]!);
  const n = sketch.n;
  const mean = n ? sketch.sum / n : 0;
  const std = n > 1 ? Math.sqrt(Math.max(0, (sketch.sumSq - n * mean * mean) / (n - 1))) : 0;
  return { column, grid, sketch, rows: n, mean, std };
}

/** Wasserstein-1 between the reference (exact on its grid) and a window sketched on the same grid. */
function wasserstein(ref: NumericReference, cur: FeatureSketch): number {
  const g = ref.grid;
  const nr = ref.sketch.n;
  const nc = cur.n;
  if (nr === 0 || nc === 0 || g.length === 0) return 0;
  let cr = 0;
  let cc = 0;
  let w = 0;
  // Below the grid: the current mass there sits at its mean, the reference has none.
  if (cur.underCount > 0) w += (cur.underCount / nc) * (g[0]! - cur.underSum / cur.underCount);
  for (let k = 0; k < g.length - 1; k++) {
    cr += ref.sketch.counts[k]! / nr;
    cc += cur.counts[k]! / nc;
    w += Math.abs(cr - cc) * (g[k + 1]! - g[k]!);
  }
  const over = cur.counts[g.length]!;
  if (over > 0) w += (over / nc) * (cur.overSum / over - g[g.length - 1]!);
  return w;
}

/** Groups the fine grid bins into about `bins` bins of equal reference share (for PSI and histograms). */
function coarse(ref: FeatureSketch, cur: FeatureSketch, bins: number) {
  const nr = ref.n;
  const r: number[] = [];
  const c: number[] = [];
  const edges: number[] = [];
  let accR = 0;
  let accC = 0;
  let cum = 0;
  for (let k = 0; k < ref.counts.length; k++) {
    accR += ref.counts[k]!;
    accC += cur.counts[k]!;
    cum += ref.counts[k]!;
    const last = k === ref.counts.length - 1;
    if (last || cum >= ((r.length + 1) * nr) / bins) {
      r.push(accR);
      c.push(accC);
      edges.push(last ? Number.POSITIVE_INFINITY : ref.grid[k]!);
      accR = 0;
      accC = 0;
    }
  }
  return { r, c, edges };
}

export function numericDrift(ref: NumericReference, cur: FeatureSketch): ColumnDrift {
  const distance = ref.std > 0 ? wasserstein(ref, cur) / ref.std : wasserstein(ref, cur) > 0 ? Infinity : 0;
  const small = ref.rows <= DRIFT.smallReference;
  const ks = ksFromCounts(ref.sketch.counts, cur.counts);
  const p = coarse(ref.sketch, cur, DRIFT.psiBins);
  const h = coarse(ref.sketch, cur, DRIFT.histogramBins);
  const share = (xs: number[]) => {
    const s = xs.reduce((a, b) => a + b, 0) || 1;
    return xs.map((x) => x / s);
  };
  return {
    column: ref.column,
    type: 'numeric',
    test: small ? 'ks' : 'wasserstein',
    statistic: small ? ks.statistic : distance,
    pValue: small ? ks.pValue : null,
    threshold: small ? DRIFT.ksAlpha : DRIFT.wassersteinThreshold,
    drifted: cur.n > 0 && (small ? ks.pValue < DRIFT.ksAlpha : distance > DRIFT.wassersteinThreshold),
    distance,
    psi: cur.n > 0 ? psi(p.r, p.c) : 0,
    referenceRows: ref.rows,
    currentRows: cur.n,
    currentNulls: cur.nulls,
    histogram: { edges: h.edges, reference: share(h.r), current: share(h.c) },
  };
}

/** Categorical column: counts per category, in the same category order for both. */
export function categoricalDrift(
  column: string,
  categories: string[],
  reference: number[],
  current: number[],
): ColumnDrift {
  const nr = reference.reduce((a, b) => a + b, 0);
  const nc = current.reduce((a, b) => a + b, 0);
  const small = nr <= DRIFT.smallReference;
  const chi = chiSquare(reference, current);
  const js = jensenShannon(reference, current);
  const share = (xs: number[], n: number) => xs.map((x) => x / (n || 1));
  return {
    column,
    type: 'categorical',
    test: small ? 'chi-square' : 'jensen-shannon',
    statistic: small ? chi.statistic : js,
    pValue: small ? chi.pValue : null,
    threshold: small ? DRIFT.chiAlpha : DRIFT.jensenShannonThreshold,
    drifted: nc > 0 && (small ? chi.pValue < DRIFT.chiAlpha : js > DRIFT.jensenShannonThreshold),
    distance: js,
    psi: nc > 0 ? psi(reference, current) : 0,
    referenceRows: nr,
    currentRows: nc,
    currentNulls: 0,
    histogram: {
      edges: categories.map((_, i) => i),
      reference: share(reference, nr),
      current: share(current, nc),
    },
  };
}

export function driftReport(columns: ColumnDrift[], prediction: ColumnDrift | null): DriftReport {
  const drifted = columns.filter((c) => c.drifted).length;
  const driftedShare = columns.length ? drifted / columns.length : 0;
  return {
    // Drifting columns first, then by distance.
    columns: [...columns].sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.distance - a.distance),
    prediction,
    driftedShare,
    datasetDrift: columns.length > 0 && driftedShare >= DRIFT.datasetShare,
    currentRows: Math.max(0, ...columns.map((c) => c.currentRows)),
  };
}

/**
 * Reference for every column of a version (its training sample and its predictions), and a
 * window builder that sketches served rows on those grids.
 */
export class DriftReference {
  readonly columns: NumericReference[];
  readonly prediction: NumericReference | null;

  constructor(featureNames: string[], rows: (number | null)[][], predictions: number[] | null) {
    this.columns = featureNames.map((name, j) =>
      numericReference(
        name,
        rows.map((r) => r[j] ?? null),
      ),
    );
    this.prediction = predictions?.length ? numericReference('prediction', predictions) : null;
  }

  window(): DriftWindow {
    return new DriftWindow(this);
  }
}

/**
 * One window of served rows, sketched on the reference grids. The hot path (add) works on flat
 * typed arrays, one binary search per value; sketches are materialised only for the report.
 */
export class DriftWindow {
  private readonly grids: Float64Array;
  private readonly starts: Int32Array;
  private readonly sizes: Int32Array;
  /** per column: grid size + 1 bins, at starts[j] + j */
  private readonly counts: Float64Array;
  /** per column: nulls, underCount, underSum, overSum, sum, sumSq */
  private readonly stats: Float64Array;
  private readonly columns: number;

  constructor(readonly reference: DriftReference) {
    const all = [...reference.columns, ...(reference.prediction ? [reference.prediction] : [])];
    this.columns = all.length;
    this.sizes = Int32Array.from(all.map((c) => c.grid.length));
    this.starts = new Int32Array(all.length);
    let total = 0;
    all.forEach((c, j) => {
      this.starts[j] = total;
      total += c.grid.length;
    });
    this.grids = new Float64Array(total);
    all.forEach((c, j) => this.grids.set(c.grid, this.starts[j]));
    this.counts = new Float64Array(total + all.length);
    this.stats = new Float64Array(all.length * 6);
  }

  private addValue(j: number, v: number | null | undefined): void {
    const st = this.stats;
    if (v === null || v === undefined || !Number.isFinite(v)) {
      st[j * 6]!++;
      return;
    }
    const g = this.grids;
    const start = this.starts[j]!;
    const size = this.sizes[j]!;
    let lo = start;
    let hi = start + size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (g[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const bin = lo - start;
    this.counts[start + j + bin]!++;
    if (bin === size) st[j * 6 + 3]! += v;
    else if (bin === 0 && v < g[start]!) {
      st[j * 6 + 1]!++;
      st[j * 6 + 2]! += v;
    }
    st[j * 6 + 4]! += v;
    st[j * 6 + 5]! += v * v;
  }

  /** One served row (the model's feature order) and its prediction. */
  add(row: ArrayLike<number | null>, prediction?: number | null): void {
    const features = this.reference.columns.length;
    for (let j = 0; j < features; j++) this.addValue(j, row[j]);
    if (this.reference.prediction && prediction !== undefined) this.addValue(features, prediction);
  }

  /** The window's sketch of column j (features in order, then the prediction). */
  sketch(j: number): FeatureSketch {
    const start = this.starts[j]!;
    const size = this.sizes[j]!;
    const st = this.stats.subarray(j * 6, j * 6 + 6);
    const ref = j < this.reference.columns.length ? this.reference.columns[j]! : this.reference.prediction!;
    return FeatureSketch.from(ref.grid, {
      counts: Array.from(this.counts.subarray(start + j, start + j + size + 1)),
      nulls: st[0]!,
      underCount: st[1]!,
      underSum: st[2]!,
      overSum: st[3]!,
      sum: st[4]!,
      sumSq: st[5]!,
    });
  }

  report(): DriftReport {
    const features = this.reference.columns.length;
    return driftReport(
      this.reference.columns.map((c, j) => numericDrift(c, this.sketch(j))),
      this.reference.prediction && this.columns > features
        ? numericDrift(this.reference.prediction, this.sketch(features))
        : null,
    );
  }
}
