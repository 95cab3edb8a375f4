import { z } from 'zod';
import { seededRandom } from '../random';

/**
 * Parameter sweeps of campaigns, as pure functions: a list of dimensions (a dotted scenario path
 * with explicit values, or a numeric range) expanded into run parameter sets by grid, random
 * sampling or Latin hypercube sampling. Seeded, so a campaign can be re-created exactly.
 */
export const sweepDimensionSchema = z.union([
  z.object({
    path: z.string().min(1).max(100),
    values: z
      .array(z.union([z.number(), z.string(), z.boolean()]))
      .min(1)
      .max(100),
  }),
  z
    .object({
      path: z.string().min(1).max(100),
      min: z.number(),
      max: z.number(),
      integer: z.boolean().default(false),
      steps: z.number().int().min(2).max(50).optional(),
    })
    .refine((d) => d.max > d.min, 'max must be greater than min'),
]);
export type SweepDimension = z.infer<typeof sweepDimensionSchema>;
export type ParamSet = Record<string, number | string | boolean>;

function levels(d: SweepDimension, fallbackSteps: number): (number | string | boolean)[] {
  if ('values' in d) return d.values;
  const steps = d.steps ?? fallbackSteps;
  return Array.from({ length: steps }, (_, i) => {
    const v = d.min + ((d.max - d.min) * i) / (steps - 1);
    return d.integer ? Math.round(v) : Number(v.toFixed(6));
  });
}

/** Value of dimension d at u in [0,1): a level for enums, a point in the range for numbers. */
function at(d: SweepDimension, u: number): number | string | boolean {
  if ('values' in d) return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))]!;
  const v = d.min + (d.max - d.min) * u;
  return d.integer ? Math.min(d.max, Math.floor(d.min + (d.max - d.min + 1) * u)) : Number(v.toFixed(6));
}

/** Every combination; numeric ranges get `steps` levels (default 3). Capped at `limit` runs. */
export function gridSweep(dims: SweepDimension[], limit = 500): ParamSet[] {
  let sets: ParamSet[] = [{}];
  for (const d of dims) {
    const next: ParamSet[] = [];
    for (const s of sets) for (const v of levels(d, 3)) next.push({ ...s, [d.path]: v });
    sets = next;
    if (sets.length > limit)
      throw new Error(`The grid has more than ${limit} combinations; use fewer levels or random/LHS sampling.`);
  }
  return sets;
}

export function randomSweep(dims: SweepDimension[], n: number, seed: number): ParamSet[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => Object.fromEntries(dims.map((d) => [d.path, at(d, rand())])));
}

/** Latin hypercube: each dimension's [0,1) split into n strata, each stratum used exactly once. */
export function latinHypercubeSweep(dims: SweepDimension[], n: number, seed: number): ParamSet[] {
  const rand = seededRandom(seed);
  const columns = dims.map(() => {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    return perm.map((stratum) => (stratum + rand()) / n);
  });
  return Array.from({ length: n }, (_, row) =>
    Object.fromEntries(dims.map((d, k) => [d.path, at(d, columns[k]![row]!)])),
  );
}

export function expandSweep(
  strategy: 'grid' | 'random' | 'lhs',
  dims: SweepDimension[],
  n: number,
  seed: number,
): ParamSet[] {
  if (strategy === 'grid') return gridSweep(dims);
  if (strategy === 'random') return randomSweep(dims, n, seed);
  return latinHypercubeSweep(dims, n, seed);
}
