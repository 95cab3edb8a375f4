/** Configuration of the window operator; every field has a default (../shared/DESIGN.md). */
export interface WindowOperatorConfig {
  /** Tumbling window size in seconds of event time. */
  windowSizeS: number;
  /** Sliding aggregates built from the tumbling windows; null for none. Both multiples of windowSizeS. */
  sliding: { sizeS: number; hopS: number } | null;
  /** The watermark trails the highest event time seen by this much (seconds). */
  outOfOrdernessS: number;
  /** Frames this far (seconds) behind the watermark still update an emitted window. */
  allowedLatenessS: number;
  /** Processing-time ms without frames after which a partition stops holding the watermark back. */
  idleTimeoutMs: number;
  /** Processing-time ms without frames on any partition after which a run's windows are all closed. */
  idleRunCloseMs: number;
  /** Sensor rate assumed for the missing-frame ratio unless a run's own rate is set. */
  sensorHz: number;
}

export const DEFAULT_WINDOW_CONFIG: Readonly<WindowOperatorConfig> = Object.freeze({
  windowSizeS: 1,
  sliding: Object.freeze({ sizeS: 10, hopS: 1 }),
  outOfOrdernessS: 0.2,
  allowedLatenessS: 2,
  idleTimeoutMs: 5_000,
  idleRunCloseMs: 300_000,
  sensorHz: 20,
});

/** The config plus the sliding geometry in tumbling windows. */
export interface ResolvedWindowConfig extends WindowOperatorConfig {
  /** Tumbling windows per sliding window (0 without sliding). */
  slidingSpan: number;
  /** Tumbling windows per hop (0 without sliding). */
  slidingStep: number;
}

function wholeMultiple(x: number, of: number, what: string): number {
  const n = Math.round(x / of);
  if (n < 1 || Math.abs(n * of - x) > 1e-9 * Math.max(1, x)) {
    throw new Error(`${what} (${x}) must be a positive whole multiple of windowSizeS (${of})`);
  }
  return n;
}

export function resolveWindowConfig(overrides: Partial<WindowOperatorConfig> = {}): ResolvedWindowConfig {
  const c: WindowOperatorConfig = { ...DEFAULT_WINDOW_CONFIG, ...overrides };
  if (!(c.windowSizeS >= 1e-6) || !Number.isFinite(c.windowSizeS))
    throw new Error('windowSizeS must be at least 1 µs (event time resolves to the microsecond)');
  if (!(c.outOfOrdernessS >= 0)) throw new Error('outOfOrdernessS must be ≥ 0');
  if (!(c.allowedLatenessS >= 0)) throw new Error('allowedLatenessS must be ≥ 0');
  if (!(c.idleTimeoutMs > 0)) throw new Error('idleTimeoutMs must be > 0');
  if (!(c.idleRunCloseMs > 0)) throw new Error('idleRunCloseMs must be > 0');
  if (!(c.sensorHz > 0)) throw new Error('sensorHz must be > 0');
  let slidingSpan = 0;
  let slidingStep = 0;
  if (c.sliding) {
    slidingSpan = wholeMultiple(c.sliding.sizeS, c.windowSizeS, 'sliding.sizeS');
    slidingStep = wholeMultiple(c.sliding.hopS, c.windowSizeS, 'sliding.hopS');
    if (slidingStep > slidingSpan) throw new Error('sliding.hopS must not exceed sliding.sizeS');
  }
  return { ...c, slidingSpan, slidingStep };
}
