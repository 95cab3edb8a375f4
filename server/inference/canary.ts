import { fnv1aMix32 } from '../hash';

/**
 * Canary routing: a vehicle goes to the canary version when the hash of its id (salted with the
 * model, so two models' canaries pick independent vehicle sets) falls below the canary weight.
 * Deterministic, so a vehicle stays on one version for as long as the weight does not change,
 * and monotone: raising the weight only moves vehicles from baseline to canary, never back.
 */

/** A string's hash as a fraction in [0, 1). */
export function hashUnit(s: string): number {
  return fnv1aMix32(s) / 4294967296;
}

export function routesToCanary(modelId: string, vehicleId: string, canaryWeight: number): boolean {
  if (canaryWeight <= 0) return false;
  if (canaryWeight >= 1) return true;
  return hashUnit(`${modelId}\u0000${vehicleId}`) < canaryWeight;
}
