/**
 * Canary routing: a vehicle goes to the canary version when the hash of its id (salted with the
 * model, so two models' canaries pick independent vehicle sets) falls below the canary weight.
 * Deterministic, so a vehicle stays on one version for as long as the weight does not change,
 * and monotone: raising the weight only moves vehicles from baseline to canary, never back.
 */

/** FNV-1a (32 bit) of a string, as a fraction in [0, 1). */
export function hashUnit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche (murmur3 fmix32): FNV alone clusters ids that differ only in the last digits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function routesToCanary(modelId: string, vehicleId: string, canaryWeight: number): boolean {
  if (canaryWeight <= 0) return false;
  if (canaryWeight >= 1) return true;
  return hashUnit(`${modelId}\u0000${vehicleId}`) < canaryWeight;
}
