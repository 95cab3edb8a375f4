/**
 * A window of served values of one feature, summarised on its reference's grid so windows from
 * any number of serving processes merge by adding counts. The grid is the reference's distinct
 * values (up to MAX_GRID; quantiles beyond), bin k holding (g[k-1], g[k]] and a last bin for
 * values above the reference's maximum: the empirical CDF is exact at every grid point, which is
 * where the reference's CDF steps. Tails beyond the reference keep their sums, for Wasserstein.
 */
export const MAX_GRID = 512;

export function gridFor(reference: ArrayLike<number | null>, maxPoints = MAX_GRID): Float64Array {
  const values = Float64Array.from(
    Array.from(reference).filter((v): v is number => v !== null && Number.isFinite(v)),
  ).sort();
  const distinct: number[] = [];
  for (const v of values) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  if (distinct.length <= maxPoints) return Float64Array.from(distinct);
  const out: number[] = [];
  for (let k = 1; k <= maxPoints; k++) {
    const q = values[Math.min(values.length - 1, Math.ceil((k / maxPoints) * values.length) - 1)]!;
    if (out.length === 0 || out[out.length - 1] !== q) out.push(q);
  }
  return Float64Array.from(out);
}

export interface SketchState {
  counts: number[];
  nulls: number;
  /** values below the grid's first point: how many and their sum (they also count in bin 0) */
  underCount: number;
  underSum: number;
  /** the sum of the values above the grid (the last bin) */
  overSum: number;
  sum: number;
  sumSq: number;
}

export class FeatureSketch {
  readonly counts: Float64Array;
  nulls = 0;
  underCount = 0;
  underSum = 0;
  overSum = 0;
  sum = 0;
  sumSq = 0;

  constructor(readonly grid: Float64Array) {
    this.counts = new Float64Array(grid.length + 1);
  }

  /** Bin of v: the first grid point ≥ v (binary search), or the overflow bin. */
  add(v: number | null): void {
    if (v === null || !Number.isFinite(v)) {
      this.nulls++;
      return;
    }
    const g = this.grid;
    let lo = 0;
    let hi = g.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (g[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]!++;
    if (lo === g.length) this.overSum += v;
    else if (lo === 0 && v < g[0]!) {
      this.underCount++;
      this.underSum += v;
    }
    this.sum += v;
    this.sumSq += v * v;
  }

  get n(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }

  merge(other: FeatureSketch | SketchState): this {
    other.counts.forEach((c, k) => (this.counts[k] = this.counts[k]! + c));
    this.nulls += other.nulls;
    this.underCount += other.underCount;
    this.underSum += other.underSum;
    this.overSum += other.overSum;
    this.sum += other.sum;
    this.sumSq += other.sumSq;
    return this;
  }

  toJSON(): SketchState {
    return {
      counts: Array.from(this.counts),
      nulls: this.nulls,
      underCount: this.underCount,
      underSum: this.underSum,
      overSum: this.overSum,
      sum: this.sum,
      sumSq: this.sumSq,
    };
  }

  static from(grid: Float64Array, s: SketchState): FeatureSketch {
    if (s.counts.length !== grid.length + 1) throw new Error('sketch does not match its grid');
    return new FeatureSketch(grid).merge(s);
  }
}
