import { DEFAULT_RUL_CAP } from '../contracts/training';

/** Re-exported for the trainer and the upload path, which read it beside rulLabels. */
export { DEFAULT_RUL_CAP };

/**
 * Piecewise-linear remaining useful life: cycles left until the unit's last recorded cycle,
 * capped because early-life degradation is not observable and an uncapped target only adds noise.
 */
export function rulLabels(
  units: ArrayLike<number | string>,
  cycles: ArrayLike<number>,
  cap = DEFAULT_RUL_CAP,
): Float32Array {
  const lastCycle = new Map<string, number>();
  for (let i = 0; i < units.length; i++) {
    const u = String(units[i]);
    lastCycle.set(u, Math.max(lastCycle.get(u) ?? -Infinity, cycles[i] as number));
  }
  const out = new Float32Array(units.length);
  for (let i = 0; i < units.length; i++) {
    out[i] = Math.min(cap, lastCycle.get(String(units[i]))! - (cycles[i] as number));
  }
  return out;
}
