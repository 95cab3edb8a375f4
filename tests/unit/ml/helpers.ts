import * as ort from 'onnxruntime-node';
import { seededRandom } from '~/server/random';

/** Standard normal samples from a seeded uniform source (Box-Muller). */
export function gaussian(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export async function runOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  dims: number[],
): Promise<Record<string, { data: ArrayLike<number | boolean>; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ features: new ort.Tensor('float32', input, dims) });
    const result: Record<string, { data: ArrayLike<number | boolean>; dims: readonly number[] }> = {};
    for (const [name, t] of Object.entries(out))
      result[name] = { data: t.data as ArrayLike<number | boolean>, dims: t.dims };
    return result;
  } finally {
    await session.release();
  }
}

/** Fails the comparison if the model is numerically degenerate (e.g. all outputs equal). */
export function spread(values: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return hi - lo;
}
