import { describe, expect, it } from 'vitest';
import { msprt, summarise, type SampleSummary } from '~/server/outcomes/sequential';
import { seededRandom } from '~/server/random';

/** Losses of one arm: Bernoulli(p) misclassifications. */
const bernoulli = (rand: () => number, p: number) => (rand() < p ? 1 : 0);

/** A fixed-horizon two-sample z-test, (mis)used at every look: the peeking the mSPRT is for. */
function naiveZRejects(b: SampleSummary, c: SampleSummary): boolean {
  const se = Math.sqrt(b.variance / b.n + c.variance / c.n);
  return se > 0 && Math.abs((c.mean - b.mean) / se) > 1.959964;
}

interface Peeking {
  msprtRejections: number;
  naiveRejections: number;
  worse: number;
  firstRejectAt: number[];
}

/** Trials of `perArm` observations per arm with a look every `every` of them. */
function simulate(trials: number, perArm: number, every: number, pBase: number, pCanary: number, seed: number) {
  const rand = seededRandom(seed);
  const out: Peeking = { msprtRejections: 0, naiveRejections: 0, worse: 0, firstRejectAt: [] };
  for (let t = 0; t < trials; t++) {
    const b: number[] = [];
    const c: number[] = [];
    let msprtDone = false;
    let naiveDone = false;
    for (let i = 0; i < perArm; i++) {
      b.push(bernoulli(rand, pBase));
      c.push(bernoulli(rand, pCanary));
      if ((i + 1) % every !== 0) continue;
      const [sb, sc] = [summarise(b), summarise(c)];
      if (!msprtDone) {
        const r = msprt(sb, sc);
        if (r.verdict === 'canary-worse' || r.verdict === 'canary-better') {
          msprtDone = true;
          out.msprtRejections++;
          if (r.verdict === 'canary-worse') out.worse++;
          out.firstRejectAt.push(i + 1);
        }
      }
      if (!naiveDone && naiveZRejects(sb, sc)) {
        naiveDone = true;
        out.naiveRejections++;
      }
    }
  }
  return out;
}

describe('mSPRT (always-valid sequential test)', () => {
  it('keeps the type-I error at alpha under repeated looks, where a peeked z-test does not', () => {
    const trials = 400;
    const r = simulate(trials, 800, 20, 0.2, 0.2, 17);
    const alpha = 0.05;
    // Monte Carlo slack: two binomial standard errors at alpha.
    const slack = 2 * Math.sqrt((alpha * (1 - alpha)) / trials);
    expect(r.msprtRejections / trials).toBeLessThanOrEqual(alpha + slack);
    // The same data peeked at 40 times with a fixed-horizon test rejects far more often than 5%:
    // the simulation is able to show an inflated error rate.
    expect(r.naiveRejections / trials).toBeGreaterThan(0.15);
  });

  it('detects a clearly worse canary, and says which way', () => {
    const trials = 100;
    const r = simulate(trials, 800, 20, 0.1, 0.3, 5);
    expect(r.msprtRejections / trials).toBeGreaterThan(0.95);
    expect(r.worse).toBe(r.msprtRejections);
    const better = simulate(50, 800, 20, 0.3, 0.1, 6);
    expect(better.worse).toBe(0);
    expect(better.msprtRejections).toBeGreaterThan(45);
  });

  it('its always-valid interval covers the true difference at every look (in ≥ 95% of runs)', () => {
    const rand = seededRandom(99);
    const trials = 200;
    let everMissed = 0;
    for (let t = 0; t < trials; t++) {
      const b: number[] = [];
      const c: number[] = [];
      let missed = false;
      for (let i = 0; i < 400; i++) {
        b.push(bernoulli(rand, 0.2));
        c.push(bernoulli(rand, 0.3));
        if ((i + 1) % 25 !== 0) continue;
        const { interval } = msprt(summarise(b), summarise(c));
        if (interval && !(interval[0] <= 0.1 && 0.1 <= interval[1])) missed = true;
      }
      if (missed) everMissed++;
    }
    expect(everMissed / trials).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / trials));
  });

  it('gives no verdict on too few samples, and handles identical arms without dividing by zero', () => {
    const few = msprt(summarise([1, 0, 1]), summarise([0, 0, 1]));
    expect(few).toMatchObject({ verdict: 'insufficient-data', pValue: 1, interval: null });
    const zeros = Array.from({ length: 50 }, () => 0);
    const same = msprt(summarise(zeros), summarise(zeros));
    expect(same.verdict).toBe('no-difference-yet');
    expect(same.pValue).toBe(1);
    expect(Number.isFinite(same.likelihoodRatio)).toBe(true);
  });

  it('summarise matches the textbook mean and unbiased variance', () => {
    expect(summarise([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ n: 8, mean: 5, variance: 32 / 7 });
    expect(() => msprt(summarise([1]), summarise([1]), { alpha: 0 })).toThrow(RangeError);
  });
});
