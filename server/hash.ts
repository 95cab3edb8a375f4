/**
 * 32-bit FNV-1a over a string, finished with murmur3's fmix32 avalanche (FNV alone clusters
 * strings that differ only in their last characters). Deterministic across processes, so it
 * derives simulator random streams and routes canary vehicles alike.
 */
export function fnv1aMix32(s: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
