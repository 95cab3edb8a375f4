/**
 * Axis ticks and labels for every chart. Ticks sit on multiples of a "nice" step (1, 2 or 5 × 10^k)
 * and labels get exactly as many decimals as the step needs, so two ticks never print the same
 * label (no "90s 90s 91s") and a value that rounds to zero never prints as "-0.0". Pure functions.
 */

export interface AxisTicks {
  /** The axis range: the outer ticks, or the data range itself for a tight axis. */
  domain: [number, number];
  ticks: number[];
  /** Decimals a label needs so that neighbouring ticks differ. */
  decimals: number;
  /** Labels are value / divisor with a suffix ('k', 'M') once values reach 10,000. */
  divisor: number;
  suffix: string;
}

export interface NiceTicksOptions {
  /** About how many intervals to aim for. */
  target?: number;
  /** Whole-number ticks only (epochs, versions, counts). */
  integer?: boolean;
  /** Keep the domain at the data range (a moving time window) instead of widening to the outer ticks. */
  tight?: boolean;
}

/** The nice step (1, 2 or 5 × 10^k) that splits `span` into about `target` intervals. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/** Decimals needed to tell multiples of `step` apart. */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** `v.toFixed(decimals)` without negative zero: -0.04 at 1 decimal prints "0.0", not "-0.0". */
export function formatFixed(v: number, decimals: number): string {
  const s = v.toFixed(Math.min(20, Math.max(0, decimals)));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function roundTo(v: number, decimals: number): number {
  const r = Number(v.toFixed(Math.min(20, decimals)));
  return r === 0 ? 0 : r;
}

/** Ticks covering [min, max] at a nice step, with the label precision that step needs. */
export function niceTicks(min: number, max: number, opts: NiceTicksOptions = {}): AxisTicks {
  const { target = 5, integer = false, tight = false } = opts;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return { domain: [0, 1], ticks: [0, 1], decimals: 0, divisor: 1, suffix: '' };
  }
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (lo === hi) {
    // One value: widen around it so the line sits mid-chart with ticks either side.
    const pad = integer ? 1 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  let step = niceStep(hi - lo, target);
  if (integer) step = Math.max(1, Math.round(step));
  const decimals = integer ? 0 : stepDecimals(step);
  const first = Math.ceil(lo / step - 1e-9) * step;
  const start = tight ? first : Math.floor(lo / step + 1e-9) * step;
  const end = tight ? hi : Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = start + i * step;
    if (t > end + step * 1e-9 || i > 1000) break;
    ticks.push(roundTo(t, decimals));
  }
  const biggest = Math.max(Math.abs(ticks[0] ?? 0), Math.abs(ticks.at(-1) ?? 0));
  const [divisor, suffix] = biggest >= 1e7 ? [1e6, 'M'] : biggest >= 1e4 ? [1e3, 'k'] : [1, ''];
  const domain: [number, number] = tight ? [lo, hi] : [ticks[0] ?? lo, ticks.at(-1) ?? hi];
  return { domain, ticks, decimals: stepDecimals(step / divisor), divisor, suffix };
}

/** Decade ticks (…, 0.01, 0.1, 1, 10, …) for a log axis over positive values. */
export function logTicks(min: number, max: number): AxisTicks {
  const lo = Math.floor(Math.log10(min > 0 && Number.isFinite(min) ? min : 1));
  let hi = Math.ceil(Math.log10(max > 0 && Number.isFinite(max) ? max : 10));
  if (hi <= lo) hi = lo + 1;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(Number((10 ** e).toPrecision(1)));
  return { domain: [ticks[0]!, ticks.at(-1)!], ticks, decimals: Math.max(0, -lo), divisor: 1, suffix: '' };
}

/** The label of tick `v` on `axis`, with an optional unit ("90 s", "1.5 k", "0.25"). */
export function formatTick(axis: AxisTicks, v: number, unit?: string): string {
  const label = `${formatFixed(v / axis.divisor, axis.decimals)}${axis.suffix}`;
  return unit ? `${label} ${unit}` : label;
}

/** Values read in tooltips and headlines: about 4 significant digits, no "-0", no float noise. */
export function formatValue(v: number | null | undefined, unit?: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return unit ? `0 ${unit}` : '0';
  const a = Math.abs(v);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : a >= 0.01 ? 3 : 4;
  const s = a !== 0 && a < 1e-4 ? v.toExponential(1) : formatFixed(v, digits);
  return unit ? `${s} ${unit}` : s;
}

/** Smallest and largest finite value of `keys` over `rows` (log axes take positive values only). */
export function extent(
  rows: readonly object[],
  keys: readonly string[],
  positiveOnly = false,
): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of rows) {
    for (const k of keys) {
      const v = (row as Record<string, unknown>)[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}
