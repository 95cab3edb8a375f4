import type { ResolvedWindowConfig } from './config';

/**
 * Window maths on integer indices. Tumbling window k covers [k·size, (k+1)·size); sliding window
 * j covers tumbling windows [j·step, j·step + span). Event time is resolved to the microsecond
 * and bounds are computed in whole microseconds, so that decimal sizes behave as written: with a
 * size of 0.1 s a frame at t = 0.3 is in [0.3, 0.4), although 3 × 0.1 = 0.30000000000000004.
 */

const US_PER_S = 1e6;

function micros(s: number): number {
  return Math.round(s * US_PER_S);
}

/** The tumbling window holding event time t (a frame at t = 1.0 is in [1, 2)). */
export function windowIndex(t: number, size: number): number {
  return Math.floor(micros(t) / micros(size));
}

export function windowStart(k: number, size: number): number {
  return (k * micros(size)) / US_PER_S;
}

export function windowEnd(k: number, size: number): number {
  return ((k + 1) * micros(size)) / US_PER_S;
}

export function slidingStart(j: number, c: ResolvedWindowConfig): number {
  return windowStart(j * c.slidingStep, c.windowSizeS);
}

export function slidingEnd(j: number, c: ResolvedWindowConfig): number {
  return windowStart(j * c.slidingStep + c.slidingSpan, c.windowSizeS);
}

/** The first sliding window that contains tumbling window k. */
export function firstSlidingOf(k: number, c: ResolvedWindowConfig): number {
  return Math.ceil((k - c.slidingSpan + 1) / c.slidingStep);
}

/** The last sliding window that contains tumbling window k. */
export function lastSlidingOf(k: number, c: ResolvedWindowConfig): number {
  return Math.floor(k / c.slidingStep);
}

/** The first sliding window made only of tumbling windows ≥ k. */
export function firstSlidingFrom(k: number, c: ResolvedWindowConfig): number {
  return Math.ceil(k / c.slidingStep);
}

/**
 * Watermark at which tumbling window k can no longer change anything: neither itself nor any
 * sliding window containing it accepts late frames once the watermark reaches this.
 */
export function retainUntil(k: number, c: ResolvedWindowConfig): number {
  const end = c.slidingSpan > 0 ? slidingEnd(lastSlidingOf(k, c), c) : windowEnd(k, c.windowSizeS);
  return end + c.allowedLatenessS;
}

/** The smallest k that retainUntil keeps at watermark wm (every smaller one is final). */
export function firstRetained(wm: number, c: ResolvedWindowConfig): number {
  if (wm === -Infinity || wm === Infinity) return wm;
  let k = Math.floor((wm - c.allowedLatenessS) / c.windowSizeS) - c.slidingSpan;
  while (retainUntil(k, c) > wm) k -= Math.max(1, c.slidingStep);
  while (retainUntil(k, c) <= wm) k++;
  return k;
}
