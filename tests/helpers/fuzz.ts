import fc from 'fast-check';
import { findUnsafeString } from '~/server/contracts/strings';

/**
 * Hostile inputs for the fuzz suites (issue 19): random unicode with NUL, control characters and
 * lone surrogates, deep nesting, huge and non-finite numbers, `__proto__` keys, oversized fields
 * and wrong types. Seeded (FUZZ_SEED, default fixed) and bounded: `runs(n)` is n cases in
 * `npm test` and n × FUZZ_FACTOR in `npm run fuzz` (FUZZ_FACTOR=10).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 19_019);
export const FUZZ_FACTOR = Number(process.env.FUZZ_FACTOR ?? 1);
export const runs = (n: number) => Math.max(1, Math.round(n * FUZZ_FACTOR));
export const fuzzParams = (n: number) => ({ seed: FUZZ_SEED, numRuns: runs(n), endOnFailure: true });

const BAD_CHARS = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f', '\uD800', '\uDFFF'];

/** A string that always breaks the input policy somewhere. */
export const unsafeString = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...BAD_CHARS), fc.string({ unit: 'binary', maxLength: 12 }))
  .map(([a, c, b]) => `${a}${c}${b}`);

export function nest(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
  return v;
}

export const hostileString = fc.oneof(
  unsafeString,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '🚗🚗', '__proto__', "'; drop table users; --", '../../etc/passwd', 'x'.repeat(70_000)),
);
export const hostileNumber = fc.constantFrom(
  1e308,
  -1e308,
  3.5e38,
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  2 ** 53 + 1,
  1e-320,
);
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.integer({ min: 401, max: 900 }).map((d) => nest(d)),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), hostileString), { maxLength: 4 }),
  fc.object({ maxDepth: 2, maxKeys: 4 }),
);

/** The sample input with one of its fields (or the whole input, or an extra key) made hostile. */
export function mutated(sample: Record<string, unknown>, value: fc.Arbitrary<unknown> = hostileValue) {
  return fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 }), value).map(([i, mode, v]) => {
    const keys = Object.keys(sample);
    if (mode === 0) return v;
    if (mode === 1 || keys.length === 0) return { ...sample, [`extra${i % 3}`]: v };
    return { ...sample, [keys[i % keys.length]!]: v };
  });
}

/**
 * encodeURIComponent for hostile strings: it throws on a lone surrogate, which a client that does
 * not use it can still send, as the three bytes of its WTF-8 form (ED A0 80 for U+D800), invalid
 * UTF-8. Those bytes are what is put on the wire here, so the server meets them.
 */
export function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.charCodeAt(0);
    out +=
      ch.length === 1 && u >= 0xd800 && u <= 0xdfff
        ? [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(ch);
  }
  return out;
}

/** Does this value hold a string or key the policy refuses (so the answer must be 400)? */
export const breaksPolicy = (v: unknown) => findUnsafeString(v, 100_000) !== null;

/** Cases per entry point, printed at the end of a fuzz file. */
export const fuzzCounts = new Map<string, number>();
export const count = (entry: string) => fuzzCounts.set(entry, (fuzzCounts.get(entry) ?? 0) + 1);
export function printCounts(title: string) {
  const total = [...fuzzCounts.values()].reduce((a, b) => a + b, 0);
  const lines = [...fuzzCounts.entries()].sort().map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`);
  console.log(
    `fuzz ${title}: ${total} cases over ${fuzzCounts.size} entry points (seed ${FUZZ_SEED}, ×${FUZZ_FACTOR})\n${lines.join('\n')}`,
  );
}
