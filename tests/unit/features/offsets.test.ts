import { describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import {
  createWindowOperator,
  decodeCommitMetadata,
  type WindowOperator,
  type WindowOperatorConfig,
} from '~/workers/features';
import { mk, upsert } from './helpers';
import { messyStream } from './stream';

/** One vehicle at 20 Hz, in order: the frame with seq n is at offset n, t = n / 20. */
function steady(op: WindowOperator, untilSeq: number, partition = 0): void {
  for (let seq = 0; seq <= untilSeq; seq++) op.ingest(mk({ t: seq / 20, seq }), { partition, offset: seq }, 0);
}

const offsetOf = (op: WindowOperator, partition: number) =>
  op.committableOffsets().find((c) => c.partition === partition)?.offset;

describe('committable offsets', () => {
  it('is the first frame of the oldest window a sliding window may still need', () => {
    const op = createWindowOperator({ outOfOrdernessS: 0.2, allowedLatenessS: 2 });
    steady(op, 300); // t = 15.0, watermark 14.8
    // Tumbling window k is needed until the last 10 s sliding window holding it, [k, k+10),
    // is past its lateness: watermark ≥ k + 10 + 2. At 14.8 that releases k ≤ 2, so the oldest
    // window kept is [3, 4), whose first frame is seq 60.
    expect(offsetOf(op, 0)).toBe('60');
  });

  it('without sliding aggregates, only tumbling windows within their lateness are kept', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0.2, allowedLatenessS: 2 });
    steady(op, 300);
    // Window k is final at watermark ≥ k + 1 + 2; at 14.8 the oldest open one is [12, 13): seq 240.
    expect(offsetOf(op, 0)).toBe('240');
  });

  it('moves past everything once a run is flushed, and is computed per partition', () => {
    const op = createWindowOperator({ outOfOrdernessS: 0.2, allowedLatenessS: 2 });
    steady(op, 300, 0);
    for (let seq = 0; seq <= 40; seq++)
      op.ingest(mk({ t: seq / 20, seq, runId: 'other' }), { partition: 3, offset: 1000 + seq }, 0);
    expect(offsetOf(op, 3)).toBe('1000');
    op.flushRun('run_test', 0);
    expect(offsetOf(op, 0)).toBe('301');
    expect(offsetOf(op, 3)).toBe('1000');
  });

  it('never goes back below a restored commit when nothing new has been read', () => {
    const op = createWindowOperator();
    op.restore(2, 512, null, 0);
    expect(offsetOf(op, 2)).toBe('512');
  });

  it('records in the commit metadata which windows are final and the event time seen before the offset', () => {
    const op = createWindowOperator({ outOfOrdernessS: 0.2, allowedLatenessS: 2 });
    steady(op, 300);
    const c = op.committableOffsets()[0]!;
    const meta = decodeCommitMetadata(c.metadata)!;
    // Window 3 starts at seq 60; the frame before it (seq 59) was at t = 2.95.
    expect(meta.get('run_test')).toEqual({ firstOpenWindow: 3, maxEventTime: 59 / 20 });
    expect(decodeCommitMetadata('not json')).toBeNull();
    expect(decodeCommitMetadata('{"v":2}')).toBeNull();
  });
});

// ---- Crash and replay: a consumer killed at any point and restarted from its last commit ends
// with exactly the rows of an uninterrupted run.

interface Delivery {
  frame: TelemetryFrame;
  partition: number;
  offset: number;
}

/** Vehicles of two runs spread over two partitions (as keys hash), in one delivery order. */
function deliveries(): Delivery[] {
  const a = messyStream({
    seed: 3,
    runId: 'run_a',
    vehicles: ['v1', 'v2', 'v3'],
    seconds: 30,
    delay: 0.05,
    maxDelayS: 3.5,
  });
  const b = messyStream({ seed: 4, runId: 'run_b', vehicles: ['w1', 'w2'], seconds: 18, delay: 0.05, maxDelayS: 3.5 });
  const partitionOf = (f: TelemetryFrame) => (['v1', 'v3', 'w2'].includes(f.vehicleId) ? 0 : 1);
  // run_b starts 9 s of processing later than run_a: interleave by position.
  const merged: TelemetryFrame[] = [];
  let j = 0;
  a.forEach((f, i) => {
    merged.push(f);
    if (i > a.length * 0.3 && j < b.length) merged.push(b[j++]!);
  });
  while (j < b.length) merged.push(b[j++]!);
  const next = [0, 0];
  return merged.map((frame) => {
    const partition = partitionOf(frame);
    return { frame, partition, offset: next[partition]!++ };
  });
}

const CFG: Partial<WindowOperatorConfig> = { outOfOrdernessS: 0.2, allowedLatenessS: 2 };

function comparable(rows: Map<string, FeaturesMessage>) {
  return new Map(
    [...rows].map(([k, m]) => [
      k,
      { values: m.values, revision: m.revision, frameCount: m.frameCount, windowEnd: m.windowEnd, kind: m.kind },
    ]),
  );
}

function uninterrupted(ds: Delivery[]): Map<string, FeaturesMessage> {
  const op = createWindowOperator(CFG);
  const rows = new Map<string, FeaturesMessage>();
  for (const d of ds) upsert(rows, op.ingest(d.frame, d, 0).emitted);
  return upsert(rows, op.flush(0).emitted);
}

function crashAt(ds: Delivery[], n: number, withMetadata = true): Map<string, FeaturesMessage> {
  const first = createWindowOperator(CFG);
  const rows = new Map<string, FeaturesMessage>();
  for (const d of ds.slice(0, n)) upsert(rows, first.ingest(d.frame, d, 0).emitted);
  const commits = first.committableOffsets();
  // The process dies here: whatever it emitted was written (idempotently); its memory is lost.
  const second = createWindowOperator(CFG);
  const from = new Map<number, number>();
  for (const c of commits) {
    from.set(c.partition, Number(c.offset));
    second.restore(c.partition, Number(c.offset), withMetadata ? c.metadata : null, 0);
  }
  for (const d of ds) {
    if (d.offset < (from.get(d.partition) ?? 0)) continue;
    upsert(rows, second.ingest(d.frame, d, 0).emitted);
  }
  return upsert(rows, second.flush(0).emitted);
}

describe('replay from the committed offsets', () => {
  const ds = deliveries();
  const want = comparable(uninterrupted(ds));

  it('the stream is one where replay matters: late frames straddle window boundaries', () => {
    expect(want.size).toBeGreaterThan(250);
    expect([...want.values()].some((r) => r.revision > 0)).toBe(true);
  });

  it('rebuilds identical rows whatever the crash point', () => {
    const points = [1, 57, 400, 1111, 1500, 2345, 3001, 3600, ds.length - 1];
    for (let n = 200; n < ds.length; n += 331) points.push(n);
    for (const n of points) expect(comparable(crashAt(ds, n)), `crash after ${n} deliveries`).toEqual(want);
  });

  it('survives repeated crashes (each restart commits and dies again)', () => {
    const rows = new Map<string, FeaturesMessage>();
    let commits: ReturnType<WindowOperator['committableOffsets']> = [];
    const stops = [700, 1400, 2100, 2800, ds.length];
    let from = new Map<number, number>();
    for (const stop of stops) {
      const op = createWindowOperator(CFG);
      for (const c of commits) op.restore(c.partition, Number(c.offset), c.metadata, 0);
      // A restarted consumer re-reads from its commits, up to where the next crash happens.
      for (const d of ds.slice(0, stop))
        if (d.offset >= (from.get(d.partition) ?? 0)) upsert(rows, op.ingest(d.frame, d, 0).emitted);
      if (stop === ds.length) upsert(rows, op.flush(0).emitted);
      commits = op.committableOffsets();
      from = new Map(commits.map((c) => [c.partition, Number(c.offset)]));
    }
    expect(comparable(rows)).toEqual(want);
  });

  it('needs the commit metadata: replaying from the offset alone rebuilds some windows wrongly', () => {
    const broken = [400, 1111, 2345].filter(
      (n) => JSON.stringify([...comparable(crashAt(ds, n, false))]) !== JSON.stringify([...want]),
    );
    expect(broken.length).toBeGreaterThan(0);
  });
});

describe('partition revocation', () => {
  it('forgets the windows of a revoked partition; the new owner replays them from the commit', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0.2 });
    op.ingest(mk({ t: 0.1, seq: 0, vehicleId: 'a' }), { partition: 0, offset: 0 }, 0);
    op.ingest(mk({ t: 0.1, seq: 0, vehicleId: 'b' }), { partition: 1, offset: 0 }, 0);
    op.revokePartitions([1]);
    expect(op.committableOffsets().map((c) => c.partition)).toEqual([0]);
    expect(op.flush(0).emitted.map((m) => m.vehicleId)).toEqual(['a']);
  });
});
