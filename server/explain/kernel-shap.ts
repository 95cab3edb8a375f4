import { seededRandom } from '../random';
/**
 * KernelSHAP (Lundberg & Lee 2017): per-prediction feature attributions φ with
 * f(x) = base + Σφ, where base = E[f(background)] and v(S) = E_b f(x_S, b_¬S) (interventional).
 * Pure maths: the model is a batch function, so serving calls ONNX Runtime once per explanation
 * with every coalition × background row in one batch.
 *
 * The coalition plan (which masks, with what kernel weight) depends only on the number of
 * features, the sample budget and the seed, so it and the Cholesky factor of its normal
 * equations are built once and reused for every explanation of a model: one explanation is one
 * batched model call plus an O(K·M) right-hand side and two triangular solves.
 */

export type BatchModel = (rows: Float32Array, n: number) => Promise<ArrayLike<number>> | ArrayLike<number>;

export interface ShapPlan {
  features: number;
  /** K coalitions × M features, 1 = the feature takes the explained row's value. */
  masks: Uint8Array;
  weights: Float64Array;
  coalitions: number;
  /** true when every coalition was enumerated (the values are then exact Shapley values). */
  exact: boolean;
  /** Lower-triangular Cholesky factor (M-1 × M-1, row-major) of the constrained normal equations. */
  chol: Float64Array;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Every subset of {0..M-1} of size s, as masks, in lexicographic order. */
function* subsets(M: number, s: number): Generator<Uint8Array> {
  const idx = Array.from({ length: s }, (_, i) => i);
  for (;;) {
    const m = new Uint8Array(M);
    for (const i of idx) m[i] = 1;
    yield m;
    let k = s - 1;
    while (k >= 0 && idx[k] === M - s + k) k--;
    if (k < 0) return;
    idx[k]!++;
    for (let j = k + 1; j < s; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * The coalitions, as the shap library chooses them: whole subset sizes (s and M−s together)
 * are enumerated from the smallest up while the budget lasts, each coalition with its share of
 * the Shapley kernel; the remaining sizes are sampled in complementary pairs in proportion to
 * their kernel weight and share what weight is left.
 */
export function shapPlan(M: number, budget = 2 * M + 2048, seed = 1): ShapPlan {
  if (M < 1) throw new Error('KernelSHAP needs at least one feature');
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const kernel = (s: number) => (M - 1) / (s * (M - s)); // total weight of all subsets of size s
  let remaining = Math.max(budget, 2);
  let done = 0; // sizes 1..done (and their complements) enumerated
  const exact = M <= 1 || 2 ** M - 2 <= remaining;
  for (let s = 1; s <= Math.ceil((M - 1) / 2) && M > 1; s++) {
    const paired = s !== M - s;
    const count = binomial(M, s) * (paired ? 2 : 1);
    if (!exact && count > remaining) break;
    for (const m of subsets(M, s)) {
      masks.push(m);
      weights.push(kernel(s) / binomial(M, s));
      if (paired) {
        masks.push(m.map((v) => 1 - v));
        weights.push(kernel(M - s) / binomial(M, s));
      }
    }
    remaining -= count;
    done = s;
  }
  if (!exact && M > 1) {
    const sizes: number[] = [];
    for (let s = done + 1; s <= M - 1 - done; s++) sizes.push(s);
    const total = sizes.reduce((a, s) => a + kernel(s), 0);
    const rnd = seededRandom(seed);
    const pairs = Math.max(1, Math.floor(remaining / 2));
    const w = total / (2 * pairs);
    for (let p = 0; p < pairs; p++) {
      let u = rnd() * total;
      let s = sizes[sizes.length - 1]!;
      for (const c of sizes) {
        u -= kernel(c);
        if (u <= 0) {
          s = c;
          break;
        }
      }
      // A random subset of size s (partial Fisher–Yates), and its complement.
      const order = Array.from({ length: M }, (_, i) => i);
      for (let i = 0; i < s; i++) {
        const j = i + Math.floor(rnd() * (M - i));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const m = new Uint8Array(M);
      for (let i = 0; i < s; i++) m[order[i]!] = 1;
      masks.push(
        m,
        m.map((v) => 1 - v),
      );
      weights.push(w, w);
    }
  }
  const K = masks.length;
  const flat = new Uint8Array(K * M);
  masks.forEach((m, k) => flat.set(m, k * M));
  const wts = Float64Array.from(weights);
  return { features: M, masks: flat, weights: wts, coalitions: K, exact, chol: cholesky(normalMatrix(M, flat, wts)) };
}

/**
 * The efficiency constraint Σφ = f(x) − base removes φ_M: with a_k = z_k[0..M-2] − z_k[M-1],
 * the weighted least squares over φ_0..φ_{M-2} has the normal matrix Σ w_k a_k a_kᵀ.
 */
function normalMatrix(M: number, masks: Uint8Array, w: Float64Array): Float64Array {
  const n = M - 1;
  const A = new Float64Array(n * n);
  const a = new Float64Array(n);
  for (let k = 0; k < w.length; k++) {
    const zl = masks[k * M + n]!;
    for (let j = 0; j < n; j++) a[j] = masks[k * M + j]! - zl;
    for (let i = 0; i < n; i++) {
      if (a[i] === 0) continue;
      const wi = w[k]! * a[i]!;
      for (let j = 0; j <= i; j++) A[i * n + j] = A[i * n + j]! + wi * a[j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j]!;
  return A;
}

function cholesky(A: Float64Array): Float64Array {
  const n = Math.round(Math.sqrt(A.length));
  const L = new Float64Array(n * n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i]!;
  // A whisper of ridge keeps a sampled plan that misses a feature solvable; it is far below 1e-3.
  const ridge = 1e-12 * (trace / Math.max(1, n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / L[j * n + j]!;
    }
  }
  return L;
}

/** Rows for one explanation: for each coalition k and background row b, x where z_k = 1, b elsewhere. */
export function coalitionRows(plan: ShapPlan, x: ArrayLike<number>, background: Float32Array, out?: Float32Array) {
  const M = plan.features;
  const N = background.length / M;
  const rows = out ?? new Float32Array(plan.coalitions * N * M);
  let o = 0;
  for (let k = 0; k < plan.coalitions; k++) {
    const z = k * M;
    for (let b = 0; b < N; b++) {
      const bo = b * M;
      for (let j = 0; j < M; j++) rows[o++] = plan.masks[z + j] ? x[j]! : background[bo + j]!;
    }
  }
  return rows;
}

/** Solves for φ from the coalitions' expected outputs ey (length K). */
export function solveShap(plan: ShapPlan, ey: ArrayLike<number>, fx: number, base: number): Float64Array {
  const M = plan.features;
  const phi = new Float64Array(M);
  const total = fx - base;
  if (M === 1) {
    phi[0] = total;
    return phi;
  }
  const n = M - 1;
  const rhs = new Float64Array(n);
  for (let k = 0; k < plan.coalitions; k++) {
    const zl = plan.masks[k * M + n]!;
    const y = plan.weights[k]! * (ey[k]! - base - zl * total);
    for (let j = 0; j < n; j++) {
      const a = plan.masks[k * M + j]! - zl;
      if (a !== 0) rhs[j] = rhs[j]! + a * y;
    }
  }
  const L = plan.chol;
  const tmp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = rhs[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * tmp[k]!;
    tmp[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = tmp[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * phi[k]!;
    phi[i] = s / L[i * n + i]!;
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += phi[j]!;
  phi[n] = total - sum;
  return phi;
}

export interface Explanation {
  /** Attribution of each feature, in the model's feature order; base + Σ values = output. */
  values: Float64Array;
  base: number;
  output: number;
  coalitions: number;
  exact: boolean;
}

/**
 * Explains one row. `background` is N rows × M (row-major); `base` may be passed when the
 * caller has it cached (the mean model output over the background).
 */
export async function kernelShap(
  model: BatchModel,
  plan: ShapPlan,
  x: ArrayLike<number>,
  background: Float32Array,
  base?: number,
): Promise<Explanation> {
  const M = plan.features;
  const N = background.length / M;
  if (!Number.isInteger(N) || N < 1) throw new Error(`background must be rows of ${M} values`);
  const rows = coalitionRows(plan, x, background);
  // One batch: the explained row, the background (for the base when not given), every coalition.
  const extra = 1 + (base === undefined ? N : 0);
  const all = new Float32Array((extra + plan.coalitions * N) * M);
  for (let j = 0; j < M; j++) all[j] = x[j]!;
  if (base === undefined) all.set(background, M);
  all.set(rows, extra * M);
  const out = await model(all, extra + plan.coalitions * N);
  const output = Number(out[0]);
  let b = base;
  if (b === undefined) {
    b = 0;
    for (let i = 0; i < N; i++) b += Number(out[1 + i]);
    b /= N;
  }
  const ey = new Float64Array(plan.coalitions);
  for (let k = 0; k < plan.coalitions; k++) {
    let s = 0;
    const o = extra + k * N;
    for (let i = 0; i < N; i++) s += Number(out[o + i]);
    ey[k] = s / N;
  }
  return { values: solveShap(plan, ey, output, b), base: b, output, coalitions: plan.coalitions, exact: plan.exact };
}
