import { describe, expect, it } from 'vitest';
import { MicroBatcher, type BatchStats } from '~/server/inference/batcher';
import { featureIndex, fillRow, labelOf, mapNamedFeatures, scoresOf, scoreSpec } from '~/server/inference/scoring';

/** A batch "model" that doubles its input, so results show which rows went where. */
function doubler(calls: number[], delayMs = 0) {
  return async (input: Float32Array, rows: number) => {
    calls.push(rows);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return { y: { data: input.map((v) => v * 2), dims: [rows, input.length / rows] } };
  };
}

describe('micro-batcher', () => {
  it('runs rows submitted together as one batch and hands each submission its own rows', async () => {
    const calls: number[] = [];
    const b = new MicroBatcher({ maxBatch: 64, maxDelayUs: 2000, rowSize: 2, run: doubler(calls) });
    const results = await Promise.all([
      b.submit(Float32Array.of(1, 2), 1),
      b.submit(Float32Array.of(3, 4, 5, 6), 2),
      b.submit(Float32Array.of(7, 8), 1),
    ]);
    expect(calls).toEqual([4]);
    expect(Array.from(results[0].y!.data as Float32Array)).toEqual([2, 4]);
    expect(results[1].y!.dims).toEqual([2, 2]);
    expect(Array.from(results[1].y!.data as Float32Array)).toEqual([6, 8, 10, 12]);
    expect(Array.from(results[2].y!.data as Float32Array)).toEqual([14, 16]);
  });

  it('never exceeds maxBatch, and runs a full batch without waiting for the delay', async () => {
    const calls: number[] = [];
    const b = new MicroBatcher({
      maxBatch: 4,
      maxDelayUs: 10_000_000,
      rowSize: 1,
      run: doubler(calls),
      maxConcurrent: 8,
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(Float32Array.of(i), 1)));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(calls.slice(0, 2)).toEqual([4, 4]);
    expect(calls.reduce((a, c) => a + c, 0)).toBe(10);
    expect(Math.max(...calls)).toBeLessThanOrEqual(4);
  });

  it('queues behind maxConcurrent runs, so batches grow under load', async () => {
    const calls: number[] = [];
    const stats: BatchStats[] = [];
    const b = new MicroBatcher({
      maxBatch: 1000,
      maxDelayUs: 0,
      rowSize: 1,
      run: doubler(calls, 20),
      maxConcurrent: 1,
      onBatch: (s) => stats.push(s),
    });
    const first = b.submit(Float32Array.of(0), 1);
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 50 }, (_, i) => b.submit(Float32Array.of(i + 1), 1));
    expect(b.pending).toBe(51);
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([1, 50]);
    expect(stats[1]!.queueUs.every((q) => q > 5000)).toBe(true);
    await b.drain();
    expect(b.pending).toBe(0);
  });

  it('rejects every submission of a failed batch and keeps serving', async () => {
    let fail = true;
    const b = new MicroBatcher({
      maxBatch: 8,
      maxDelayUs: 1000,
      rowSize: 1,
      run: async (input, rows) => {
        if (fail) throw new Error('boom');
        return { y: { data: input, dims: [rows, 1] } };
      },
    });
    const r = await Promise.allSettled([b.submit(Float32Array.of(1), 1), b.submit(Float32Array.of(2), 1)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(Array.from((await b.submit(Float32Array.of(3), 1)).y!.data as Float32Array)).toEqual([3]);
    await expect(b.submit(Float32Array.of(1, 2, 3), 1)).rejects.toThrow(/expected 1 × 1 values/);
  });
});

describe('named features and scores', () => {
  const model = ['a', 'b', 'c'];
  const means = Float32Array.of(10, 20, 30);

  it('maps named features onto the model order and imputes nulls with the training mean', () => {
    const r = mapNamedFeatures(model, { c: 3, a: 1, b: null }, means);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Array.from(r.row)).toEqual([1, 20, 3]);
    expect(r.imputed).toEqual(['b']);
  });

  it('lists missing and unknown names', () => {
    const r = mapNamedFeatures(model, { a: 1, speed: 2, zeta: 1 }, means);
    expect(r).toEqual({ ok: false, missing: ['b', 'c'], unknown: ['speed', 'zeta'] });
  });

  it('finds model features in a source row and fills nulls and non-finite values with means', () => {
    const { index, missing } = featureIndex(model, ['x', 'c', 'a', 'b']);
    expect(Array.from(index)).toEqual([2, 3, 1]);
    expect(missing).toEqual([]);
    expect(featureIndex(model, ['a']).missing).toEqual(['b', 'c']);
    const out = new Float32Array(6);
    fillRow([99, null, 5, Number.NaN], index, means, out, 3);
    expect(Array.from(out)).toEqual([0, 0, 0, 5, 20, 30]);
  });

  it('scores and labels each model kind', () => {
    const ae = scoreSpec('autoencoder', 0.5, null);
    const aeScores = scoresOf(ae, { score: { data: Float32Array.of(0.1, 0.9), dims: [2, 1] } }, 2);
    expect(Array.from(aeScores).map((x) => +x.toFixed(3))).toEqual([0.1, 0.9]);
    expect(labelOf(ae, {}, 2, 1, aeScores[1]!)).toBe('anomaly');
    const bin = scoreSpec('mlp-classifier', null, { classes: ['normal', 'fault'] });
    expect(bin.threshold).toBe(0.5);
    const binOut = { probabilities: { data: Float32Array.of(0.2, 0.7), dims: [2, 1] } };
    const s = scoresOf(bin, binOut, 2);
    expect(labelOf(bin, binOut, 2, 1, s[1]!)).toBe('fault');
    const multi = scoreSpec('mlp-classifier', null, { classes: ['normal', 'brake', 'tyre'] });
    const mOut = { probabilities: { data: Float32Array.of(0.1, 0.2, 0.7), dims: [1, 3] } };
    const ms = scoresOf(multi, mOut, 1);
    expect(ms[0]).toBeCloseTo(0.9, 5);
    expect(labelOf(multi, mOut, 1, 0, ms[0]!)).toBe('tyre');
    const reg = scoreSpec('mlp-regressor', null, null);
    expect(reg.threshold).toBeNull();
    expect(Array.from(scoresOf(reg, { prediction: { data: Float32Array.of(42), dims: [1, 1] } }, 1))).toEqual([42]);
    expect(() => scoresOf(ae, {}, 1)).toThrow(/score/);
  });
});
