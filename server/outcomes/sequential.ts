/**
 * Always-valid comparison of two variants' mean loss: the mixture sequential probability ratio
 * test (mSPRT) of Johari, Pekelis and Walsh, "Always Valid Inference" (2017/2022), in its
 * two-sample Gaussian form. With θ = mean(canary) − mean(baseline), θ̂ its estimate and
 * V = s²_c/n_c + s²_b/n_b its variance, a N(0, τ²) mixture over θ gives the likelihood ratio
 *
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))
 *
 * Under H0 (θ = 0) Λ is a non-negative martingale with mean 1, so by Ville's inequality
 * P(sup Λ ≥ 1/α) ≤ α: rejecting whenever Λ ≥ 1/α keeps the type-I error at α however often
 * one looks. The always-valid p-value is the running minimum of 1/Λ; the matching confidence
 * sequence is θ̂ ± sqrt(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V))).
 * Pure: callers keep the running p-value between looks if they want its monotone form.
 */

export interface SampleSummary {
  n: number;
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
}

export interface MsprtOptions {
  /** Significance level; the test rejects when Λ ≥ 1/alpha. */
  alpha?: number;
  /**
   * Mixture scale τ over effect sizes, in units of the loss. Default: half the pooled standard
   * deviation, i.e. the test is most powerful for differences of about half a standard deviation.
   */
  tau?: number;
  /** Below this many observations in either arm there is no verdict (the variance estimate is too rough). */
  minSamples?: number;
}

export type Verdict = 'insufficient-data' | 'no-difference-yet' | 'canary-worse' | 'canary-better';

export interface MsprtResult {
  verdict: Verdict;
  /** mean(canary) − mean(baseline) of the loss; positive = canary worse. */
  difference: number | null;
  likelihoodRatio: number | null;
  /** 1/Λ capped at 1 (combine with the previous look's by min for the monotone always-valid p-value). */
  pValue: number;
  /** Always-valid (1 − alpha) confidence interval of the difference. */
  interval: [number, number] | null;
  alpha: number;
  tau: number | null;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_SAMPLES = 10;
/** Floor of the variance so that identical losses (all 0) do not divide by zero. */
const VARIANCE_FLOOR = 1e-12;

export function summarise(xs: readonly number[]): SampleSummary {
  const n = xs.length;
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  let mean = 0;
  let m2 = 0;
  // Welford: stable for long streams of nearly equal losses.
  xs.forEach((x, i) => {
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  return { n, mean, variance: n > 1 ? m2 / (n - 1) : 0 };
}

export function msprt(baseline: SampleSummary, canary: SampleSummary, opts: MsprtOptions = {}): MsprtResult {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const minSamples = opts.minSamples ?? DEFAULT_MIN_SAMPLES;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must be in (0, 1)');
  if (baseline.n < minSamples || canary.n < minSamples)
    return {
      verdict: 'insufficient-data',
      difference: null,
      likelihoodRatio: null,
      pValue: 1,
      interval: null,
      alpha,
      tau: null,
    };
  const difference = canary.mean - baseline.mean;
  const v = Math.max(VARIANCE_FLOOR, baseline.variance / baseline.n + canary.variance / canary.n);
  const pooled = Math.max(
    VARIANCE_FLOOR,
    ((baseline.n - 1) * baseline.variance + (canary.n - 1) * canary.variance) / Math.max(1, baseline.n + canary.n - 2),
  );
  const tau = opts.tau ?? 0.5 * Math.sqrt(pooled);
  const t2 = tau * tau;
  const logLambda = 0.5 * Math.log(v / (v + t2)) + (t2 * difference * difference) / (2 * v * (v + t2));
  const likelihoodRatio = Math.exp(logLambda);
  const pValue = Math.min(1, Math.exp(-logLambda));
  const half = Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
  const significant = logLambda >= Math.log(1 / alpha);
  return {
    verdict: !significant ? 'no-difference-yet' : difference > 0 ? 'canary-worse' : 'canary-better',
    difference,
    likelihoodRatio,
    pValue,
    interval: [difference - half, difference + half],
    alpha,
    tau,
  };
}
