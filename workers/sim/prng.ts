/**
 * Seeded randomness for the simulator. Math.random is never used: a run must be replayable from
 * its seed. Each consumer (a vehicle's sensors, the traffic spawner, a fault) gets its own
 * stream derived from (seed, label), so adding one consumer never shifts the numbers another sees.
 */
import { fnv1aMix32 } from '~/server/hash';

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** standard normal */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number;
}

/** 32-bit FNV-1a over a label, mixed with the seed: the seed of a derived stream. */
function streamSeed(seed: number, label: string): number {
  return fnv1aMix32(label, 0x811c9dc5 ^ (seed >>> 0));
}

/** sfc32: small, fast, passes PractRand far beyond what a simulation run draws. */
export function createRng(seed: number, label = ''): Rng {
  let a = streamSeed(seed, `${label}#a`);
  let b = streamSeed(seed, `${label}#b`);
  let c = streamSeed(seed, `${label}#c`);
  let d = 1;
  const raw = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) raw();
  let spare: number | null = null;
  return {
    next: raw,
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Box-Muller; 1 - u keeps log away from 0.
      const u = 1 - raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(raw() * n),
    chance: (p) => raw() < p,
    range: (lo, hi) => lo + (hi - lo) * raw(),
  };
}
