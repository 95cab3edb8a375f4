import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatch, decodePacked, packValues, type DecodedBatch } from '~/workers/features/decode-batch';
import { DecodePool } from '~/workers/features/decode-pool';
import { frame } from '../../helpers/frames';
import { simulateRun } from '../../helpers/pipeline';

/** A batch as Kafka would deliver it: valid frames of several vehicles, and every kind of bad value. */
function mixedBatch(n: number): (Buffer | null)[] {
  const { frames } = simulateRun('org_pool', 'run_pool', { vehicles: 4, durationS: Math.ceil(n / 80) + 1, seed: 3 });
  const out: (Buffer | null)[] = frames.slice(0, n).map((f) => Buffer.from(JSON.stringify(f)));
  out.splice(5, 0, null);
  out.splice(9, 0, Buffer.alloc(0));
  out.splice(13, 0, Buffer.from('{"v":1,'));
  out.splice(17, 0, Buffer.from(JSON.stringify(frame({ seq: -3 }))));
  out.splice(21, 0, Buffer.from(JSON.stringify({ ...frame(), vehicleId: 'ü-\u2603' })));
  return out;
}

/** Decoded batches compared field by field (NaN equal to NaN). */
function plain(b: DecodedBatch) {
  return {
    data: [...b.data].map((x) => (Number.isNaN(x) ? 'NaN' : x)),
    idOf: [...b.idOf],
    ids: b.ids,
    errors: b.errors,
  };
}

describe('telemetry batch decoding and decode threads', () => {
  let pool: DecodePool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('decodes a batch the same from Kafka buffers and from one packed buffer', () => {
    const values = mixedBatch(300);
    const inline = decodeBatch(values);
    expect(plain(decodePacked(packValues(values)))).toEqual(plain(inline));
    expect(inline.errors.map((e) => [e.i, e.reason])).toEqual([
      [5, 'parse'],
      [9, 'parse'],
      [13, 'parse'],
      [17, 'validation'],
    ]);
    // Four vehicles of one run, plus the frame with a non-ASCII vehicle id.
    expect(inline.ids).toHaveLength(5);
    expect(inline.ids.map((x) => x.vehicleId)).toContain('ü-\u2603');
    expect([...inline.idOf].filter((x) => x < 0)).toHaveLength(4);
  });

  it('a decode thread returns exactly what inline decoding does', async () => {
    pool = new DecodePool(1);
    expect(pool.threads).toBe(1);
    const batches = [mixedBatch(500), mixedBatch(50), [], mixedBatch(1000)];
    const got = await Promise.all(batches.map((b) => pool!.decode(b)));
    got.forEach((g, i) => expect(plain(g)).toEqual(plain(decodeBatch(batches[i]!))));
  });

  it('loses nothing when a decode thread dies: what it held is decoded inline', async () => {
    pool = new DecodePool(1);
    const values = mixedBatch(2000);
    const pending = pool.decode(values);
    // The thread is killed while it holds the batch.
    await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]!.terminate();
    expect(plain(await pending)).toEqual(plain(decodeBatch(values)));
    expect(pool.threads).toBe(0);
    expect(plain(await pool.decode(values.slice(0, 10)))).toEqual(plain(decodeBatch(values.slice(0, 10))));
  });
});
