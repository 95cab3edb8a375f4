import { shuffled } from '~/server/random';

/**
 * Splits rows by group (run, vehicle, unit), never by row: rows of one group are strongly
 * correlated, so a row-level split would leak the same vehicle into both sides and flatter the
 * validation metrics.
 */
export interface GroupSplitOptions {
  validationFraction: number;
  testFraction?: number;
  seed: number;
}

export interface GroupSplit {
  train: number[];
  validation: number[];
  test: number[];
  groups: { train: string[]; validation: string[]; test: string[] };
}

export function splitByGroup(groupOfRow: ArrayLike<string | number>, options: GroupSplitOptions): GroupSplit {
  const testFraction = options.testFraction ?? 0;
  if (options.validationFraction < 0 || testFraction < 0 || options.validationFraction + testFraction >= 1) {
    throw new Error('validationFraction + testFraction must be in [0, 1)');
  }
  const keys = new Set<string>();
  for (let i = 0; i < groupOfRow.length; i++) keys.add(String(groupOfRow[i]));
  // Sorting before the seeded shuffle makes the split independent of row order.
  const order = shuffled([...keys].sort(), options.seed);
  const n = order.length;
  if (n < 2 && options.validationFraction > 0) throw new Error(`need at least 2 groups to split, got ${n}`);
  const nVal = options.validationFraction > 0 ? Math.max(1, Math.round(n * options.validationFraction)) : 0;
  const nTest = testFraction > 0 ? Math.max(1, Math.round(n * testFraction)) : 0;
  if (nVal + nTest >= n) throw new Error(`too few groups (${n}) for the requested split`);
  const validation = new Set(order.slice(0, nVal));
  const test = new Set(order.slice(nVal, nVal + nTest));
  const out: GroupSplit = {
    train: [],
    validation: [],
    test: [],
    groups: {
      train: order.slice(nVal + nTest).sort(),
      validation: [...validation].sort(),
      test: [...test].sort(),
    },
  };
  for (let i = 0; i < groupOfRow.length; i++) {
    const g = String(groupOfRow[i]);
    if (validation.has(g)) out.validation.push(i);
    else if (test.has(g)) out.test.push(i);
    else out.train.push(i);
  }
  return out;
}
