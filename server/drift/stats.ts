/**
 * Two-sample statistics for drift, pure functions over numbers (no I/O):
 * Kolmogorov–Smirnov with its asymptotic p-value, Wasserstein-1, PSI, chi-square with its p-value,
 * and the Jensen–Shannon distance. The numeric ones work on binned distributions (counts over
 * shared edges) so that served traffic can be summarised in mergeable windows (see sketch.ts);
 * with one bin per distinct reference value they are exact.
 */

/** Kolmogorov's limiting distribution: P(D·√n > λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}. */
export function kolmogorovQ(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** The KS p-value for statistic d between samples of n and m (Stephens' small-sample correction). */
export function ksPValue(d: number, n: number, m: number): number {
  const ne = (n * m) / (n + m);
  const s = Math.sqrt(ne);
  return kolmogorovQ((s + 0.12 + 0.11 / s) * d);
}

/** Two-sample KS on raw samples: the largest gap between the empirical CDFs. */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; pValue: number } {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return { statistic: d, pValue: ksPValue(d, x.length, y.length) };
}

/** KS from counts over the same ordered bins: the largest gap of the cumulative shares. */
export function ksFromCounts(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; pValue: number } {
  const na = sum(a);
  const nb = sum(b);
  let ca = 0;
  let cb = 0;
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    ca += a[k]!;
    cb += b[k]!;
    d = Math.max(d, Math.abs(ca / na - cb / nb));
  }
  return { statistic: d, pValue: na > 0 && nb > 0 ? ksPValue(d, na, nb) : 1 };
}

/**
 * Wasserstein-1 between two binned distributions: ∫|F_a − F_b| dx with each bin's mass at its
 * centre (`centres`: one per bin, ascending). Exact when every value sits on its bin's centre.
 */
export function wassersteinFromCounts(a: ArrayLike<number>, b: ArrayLike<number>, centres: ArrayLike<number>): number {
  const na = sum(a);
  const nb = sum(b);
  let ca = 0;
  let cb = 0;
  let w = 0;
  for (let k = 0; k < a.length - 1; k++) {
    ca += a[k]! / na;
    cb += b[k]! / nb;
    w += Math.abs(ca - cb) * (centres[k + 1]! - centres[k]!);
  }
  return w;
}

/** Population stability index over shared bins; empty bins get a small share so the log stays finite. */
export function psi(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-4): number {
  const na = sum(a);
  const nb = sum(b);
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const p = Math.max(a[k]! / na, eps);
    const q = Math.max(b[k]! / nb, eps);
    s += (q - p) * Math.log(q / p);
  }
  return s;
}

/** Jensen–Shannon distance (base 2, in [0, 1]) between two count vectors. */
export function jensenShannon(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = sum(a);
  const nb = sum(b);
  let js = 0;
  for (let k = 0; k < a.length; k++) {
    const p = a[k]! / na;
    const q = b[k]! / nb;
    const m = (p + q) / 2;
    if (p > 0) js += 0.5 * p * Math.log2(p / m);
    if (q > 0) js += 0.5 * q * Math.log2(q / m);
  }
  return Math.sqrt(Math.max(0, js));
}

/**
 * Chi-square goodness of fit of the current counts against the reference shares (as Evidently's
 * categorical test): categories the reference never saw get a small share.
 */
export function chiSquare(reference: ArrayLike<number>, current: ArrayLike<number>) {
  const nr = sum(reference);
  const nc = sum(current);
  let stat = 0;
  let dof = -1;
  for (let k = 0; k < reference.length; k++) {
    if (reference[k]! === 0 && current[k]! === 0) continue;
    const expected = Math.max(reference[k]! / nr, 1e-6) * nc;
    stat += (current[k]! - expected) ** 2 / expected;
    dof++;
  }
  dof = Math.max(1, dof);
  return { statistic: stat, dof, pValue: upperGammaRegularised(dof / 2, stat / 2) };
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

function logGamma(x: number): number {
  // Lanczos coefficients (Numerical Recipes), to the precision a double holds.
  const c = [
    76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.001208650973866179,
    -5.395239384953e-6,
  ];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const cj of c) ser += cj / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}

/** Q(s, x) = Γ(s, x)/Γ(s): series below s + 1, continued fraction above (Numerical Recipes). */
export function upperGammaRegularised(s: number, x: number): number {
  if (x <= 0) return 1;
  const gln = logGamma(s);
  if (x < s + 1) {
    let ap = s;
    let del = 1 / s;
    let total = del;
    for (let n = 0; n < 500; n++) {
      del *= x / ++ap;
      total += del;
      if (Math.abs(del) < Math.abs(total) * 1e-15) break;
    }
    return Math.max(0, 1 - total * Math.exp(-x + s * Math.log(x) - gln));
  }
  let b = x + 1 - s;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + s * Math.log(x) - gln) * h);
}
