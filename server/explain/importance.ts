/**
 * Global permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019): how much a loss
 * grows when one feature's column is shuffled, breaking its link to the output while keeping its
 * distribution. Pure: the caller passes the loss of a whole matrix (rows × cols, row-major).
 */
export interface FeatureImportance {
  feature: string;
  /** Mean increase of the loss over the repeats (≤ 0: the model does not use the feature). */
  importance: number;
  std: number;
}

function shuffle(n: number, next: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export function permutationImportance(
  loss: (values: Float32Array, rows: number) => number,
  values: Float32Array,
  rows: number,
  featureNames: readonly string[],
  options: { repeats?: number; seed?: number } = {},
): { baseline: number; features: FeatureImportance[] } {
  const cols = featureNames.length;
  const repeats = options.repeats ?? 3;
  let a = (options.seed ?? 7) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const baseline = loss(values, rows);
  const work = new Float32Array(values);
  const features = featureNames.map((feature, j) => {
    const deltas: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const p = shuffle(rows, next);
      for (let i = 0; i < rows; i++) work[i * cols + j] = values[p[i]! * cols + j]!;
      deltas.push(loss(work, rows) - baseline);
    }
    for (let i = 0; i < rows; i++) work[i * cols + j] = values[i * cols + j]!;
    const mean = deltas.reduce((s, d) => s + d, 0) / repeats;
    const std = Math.sqrt(deltas.reduce((s, d) => s + (d - mean) ** 2, 0) / repeats);
    return { feature, importance: mean, std };
  });
  return { baseline, features: features.sort((x, y) => y.importance - x.importance) };
}
