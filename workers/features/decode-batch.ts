import type { DlqReason } from '~/server/contracts/dlq';
import type { DecodeResult } from '~/server/kafka/messages';
import { decodeFrameRow, decodeFrameText, type FrameIdentity } from './frame-decoder';
import { STRIDE } from './frame-row';

/**
 * One Kafka batch of telemetry, decoded: message i's readings are row i of data when idOf[i] ≥ 0
 * (ids[idOf[i]] names its org, run and vehicle); otherwise errors holds why it was refused. Plain
 * typed arrays and a few strings, so that a decoding thread can hand it over cheaply.
 */
export interface DecodedBatch {
  data: Float64Array;
  idOf: Int32Array;
  ids: FrameIdentity[];
  errors: { i: number; reason: DlqReason; error: string }[];
}

/** Message values copied into one buffer: value i is bytes[starts[i], starts[i] + lengths[i]), length −1 for null. */
export interface PackedValues {
  bytes: Uint8Array;
  starts: Int32Array;
  lengths: Int32Array;
}

class BatchBuilder {
  readonly out: DecodedBatch;
  private readonly index = new Map<string, number>();

  constructor(n: number) {
    this.out = { data: new Float64Array(n * STRIDE), idOf: new Int32Array(n), ids: [], errors: [] };
  }

  take(i: number, r: DecodeResult<FrameIdentity>): void {
    if (!r.ok) {
      this.out.idOf[i] = -1;
      this.out.errors.push({ i, reason: r.reason, error: r.error });
      return;
    }
    const { orgId, runId, vehicleId } = r.value;
    // A batch holds a few dozen vehicles: each identity crosses a thread boundary once.
    const key = `${orgId}\u0000${runId}\u0000${vehicleId}`;
    let k = this.index.get(key);
    if (k === undefined) {
      k = this.out.ids.length;
      this.out.ids.push({ orgId, runId, vehicleId });
      this.index.set(key, k);
    }
    this.out.idOf[i] = k;
  }
}

export function decodeBatch(values: readonly (Buffer | null)[]): DecodedBatch {
  const b = new BatchBuilder(values.length);
  for (let i = 0; i < values.length; i++) b.take(i, decodeFrameRow(values[i] ?? null, b.out.data, i));
  return b.out;
}

export function packValues(values: readonly (Buffer | null)[]): PackedValues {
  const n = values.length;
  const starts = new Int32Array(n);
  const lengths = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    starts[i] = total;
    lengths[i] = v ? v.length : -1;
    total += v ? v.length : 0;
  }
  // Its own ArrayBuffer (never Buffer's shared pool), so that it can be transferred.
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v) bytes.set(v, starts[i]);
  }
  return { bytes, starts, lengths };
}

export function decodePacked(p: PackedValues): DecodedBatch {
  const n = p.starts.length;
  const b = new BatchBuilder(n);
  const buf = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const len = p.lengths[i]!;
    if (len <= 0) {
      b.take(i, { ok: false, reason: 'parse', error: 'empty message value' });
      continue;
    }
    const s = p.starts[i]!;
    b.take(i, decodeFrameText(buf.toString('utf8', s, s + len), b.out.data, i));
  }
  return b.out;
}
