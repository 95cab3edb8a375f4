import { describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createWindowOperator, windowIndex, type WindowOperator } from '~/workers/features';
import { mk, named } from './helpers';

/** Feeds frames on one partition with consecutive offsets; collects everything. */
function feed(
  op: WindowOperator,
  frames: TelemetryFrame[],
  opts: { partition?: number; from?: number; nowMs?: number } = {},
) {
  const emitted: FeaturesMessage[] = [];
  const rejected: ReturnType<WindowOperator['ingest']>['rejected'][number][] = [];
  frames.forEach((f, i) => {
    const out = op.ingest(f, { partition: opts.partition ?? 0, offset: (opts.from ?? 0) + i }, opts.nowMs ?? 0);
    emitted.push(...out.emitted);
    rejected.push(...out.rejected);
  });
  return { emitted, rejected };
}

const spans = (ms: readonly FeaturesMessage[]) =>
  ms.map((m) => [m.vehicleId, m.windowStart, m.windowEnd, m.frameCount, m.revision]);

describe('window boundaries', () => {
  it('assigns t = k·size to [k, k+1), including sizes that are not exact in binary', () => {
    expect(windowIndex(1.0, 1)).toBe(1);
    expect(windowIndex(0.999999, 1)).toBe(0); // event time resolves to the microsecond
    expect(windowIndex(0.3, 0.1)).toBe(3); // 0.3 / 0.1 = 2.9999999999999996 and 3 × 0.1 > 0.3 in doubles
    expect(windowIndex(0.7, 0.1)).toBe(7);
    expect(windowIndex(2.5, 0.5)).toBe(5);
  });

  it('a frame at t = 1.0 belongs to [1, 2) and closes [0, 1) when the watermark reaches 1', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0 });
    const a = feed(op, [mk({ t: 0, seq: 0 }), mk({ t: 0.95, seq: 1 })]);
    expect(a.emitted).toEqual([]);
    const b = feed(op, [mk({ t: 1.0, seq: 2 })], { from: 2 });
    expect(spans(b.emitted)).toEqual([['ego', 0, 1, 2, 0]]);
    const c = feed(op, [mk({ t: 1.999, seq: 3 }), mk({ t: 2.0, seq: 4 })], { from: 3 });
    expect(spans(c.emitted)).toEqual([['ego', 1, 2, 2, 0]]);
    expect(spans(op.flush(0).emitted)).toEqual([['ego', 2, 3, 1, 0]]);
  });

  it('aligns windows to multiples of the size, not to the first frame', () => {
    const op = createWindowOperator({ sliding: null, windowSizeS: 2, outOfOrdernessS: 0 });
    const out = [...feed(op, [mk({ t: 3.3, seq: 0 }), mk({ t: 5.1, seq: 1 })]).emitted, ...op.flush(0).emitted];
    expect(out.map((m) => [m.windowStart, m.windowEnd, m.windowSize])).toEqual([
      [2, 4, 2],
      [4, 6, 2],
    ]);
  });
});

describe('out-of-order and late frames', () => {
  it('keeps frames that arrive out of order within the allowed out-of-orderness', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0.5, allowedLatenessS: 0 });
    const ts = [0.1, 0.6, 0.3, 1.2, 0.9, 1.4];
    const a = feed(
      op,
      ts.map((t, i) => mk({ t, seq: i })),
    );
    // Watermark 1.4 − 0.5 = 0.9: [0, 1) is still open, nothing was late.
    expect(a.emitted).toEqual([]);
    expect(a.rejected).toEqual([]);
    const b = feed(op, [mk({ t: 1.6, seq: 6 })], { from: 6 });
    expect(spans(b.emitted)).toEqual([['ego', 0, 1, 4, 0]]);
    expect(op.watermark('run_test')).toBeCloseTo(1.1, 12);
  });

  it('a late frame within the allowed lateness updates the window and re-emits it with revision + 1', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0, allowedLatenessS: 2 });
    const a = feed(op, [mk({ t: 0.1, seq: 0, speed: 10 }), mk({ t: 1.5, seq: 2, speed: 30 })]);
    expect(spans(a.emitted)).toEqual([['ego', 0, 1, 1, 0]]);
    const b = feed(op, [mk({ t: 0.5, seq: 1, speed: 20 })], { from: 2 });
    expect(spans(b.emitted)).toEqual([['ego', 0, 1, 2, 1]]);
    expect(named(b.emitted[0]!).speed_mean).toBeCloseTo(15, 12);
    const c = feed(op, [mk({ t: 0.6, seq: 3, speed: 40 })], { from: 3 });
    expect(spans(c.emitted)).toEqual([['ego', 0, 1, 3, 2]]);
    expect(op.stats().lateUpdates).toBe(2);
    expect(op.stats().lateRejected).toBe(0);
  });

  it('a late frame beyond the allowed lateness is rejected as late, counted, and changes nothing', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0, allowedLatenessS: 2 });
    feed(op, [mk({ t: 0.1, seq: 0 }), mk({ t: 2.999, seq: 1 })]);
    // Watermark 2.999 < 1 + 2: still within lateness.
    expect(feed(op, [mk({ t: 0.2, seq: 2 })], { from: 2 }).emitted.map((m) => m.revision)).toEqual([1]);
    feed(op, [mk({ t: 3.0, seq: 3 })], { from: 3 });
    const late = mk({ t: 0.3, seq: 4 });
    const r = feed(op, [late], { from: 4 });
    expect(r.emitted).toEqual([]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ reason: 'late', partition: 0, offset: 4 });
    expect(r.rejected[0]!.frame).toBe(late);
    expect(op.stats().lateRejected).toBe(1);
  });

  it('a late frame for a window that had no data yet creates it and emits it at once (revision 0)', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0, allowedLatenessS: 2 });
    feed(op, [mk({ t: 0.5, seq: 0 }), mk({ t: 2.5, seq: 2 })]);
    const r = feed(op, [mk({ t: 1.5, seq: 1 })], { from: 2 });
    expect(spans(r.emitted)).toEqual([['ego', 1, 2, 1, 0]]);
  });
});

describe('watermarks across partitions, runs and idleness', () => {
  const cfg = { sliding: null, outOfOrdernessS: 0, allowedLatenessS: 0, idleTimeoutMs: 1000 } as const;

  it('a run spread over two partitions waits for the slower one', () => {
    const op = createWindowOperator(cfg);
    feed(op, [mk({ t: 0.5, seq: 0, vehicleId: 'b' })], { partition: 1, nowMs: 0 });
    const a = feed(
      op,
      [0.2, 1.2, 2.2, 3.2].map((t, i) => mk({ t, seq: i, vehicleId: 'a' })),
      { partition: 0, nowMs: 100 },
    );
    expect(a.emitted).toEqual([]);
    expect(op.watermark('run_test')).toBe(0.5);
  });

  it('an owned partition that has not shown a run yet holds its watermark (the run starts on the other one first)', () => {
    const frames = (vehicleId: string) => [0.2, 1.2, 2.2, 3.2].map((t, i) => mk({ t, seq: i, vehicleId }));
    const owned = createWindowOperator(cfg);
    owned.assignPartitions([0, 1]);
    expect(feed(owned, frames('a'), { partition: 0, nowMs: 100 }).emitted).toEqual([]);
    expect(owned.watermark('run_test')).toBe(-Infinity);
    const late = feed(owned, frames('b'), { partition: 1, nowMs: 200 });
    expect(late.rejected).toEqual([]);
    expect(spans(late.emitted).sort()).toEqual(
      [
        ['a', 0, 1, 1, 0],
        ['a', 1, 2, 1, 0],
        ['a', 2, 3, 1, 0],
        ['b', 0, 1, 1, 0],
        ['b', 1, 2, 1, 0],
        ['b', 2, 3, 1, 0],
      ].sort(),
    );

    // Without the assignment the first partition alone moves the watermark and b's frames are late.
    const unaware = createWindowOperator(cfg);
    feed(unaware, frames('a'), { partition: 0, nowMs: 100 });
    expect(feed(unaware, frames('b'), { partition: 1, nowMs: 200 }).rejected.map((r) => r.reason)).toEqual([
      'late',
      'late',
      'late',
    ]);
  });

  it('a run that never appears on an owned partition is held only for the idle timeout after its first frame', () => {
    const op = createWindowOperator(cfg);
    op.assignPartitions([0, 1]);
    feed(
      op,
      [0.2, 1.2, 2.2].map((t, i) => mk({ t, seq: i })),
      { partition: 0, nowMs: 500 },
    );
    expect(op.advanceIdle(1499).emitted).toEqual([]);
    expect(spans(op.advanceIdle(1500).emitted)).toEqual([
      ['ego', 0, 1, 1, 0],
      ['ego', 1, 2, 1, 0],
    ]);
  });

  it('an idle partition stops holding the watermark back after the idle timeout (processing time)', () => {
    const op = createWindowOperator(cfg);
    feed(op, [mk({ t: 0.5, seq: 0, vehicleId: 'b' })], { partition: 1, nowMs: 0 });
    feed(
      op,
      [0.2, 1.2, 2.2, 3.2].map((t, i) => mk({ t, seq: i, vehicleId: 'a' })),
      { partition: 0, nowMs: 900 },
    );
    expect(op.advanceIdle(999).emitted).toEqual([]);
    const out = op.advanceIdle(1000).emitted;
    expect(op.watermark('run_test')).toBe(3.2);
    expect(spans(out).sort()).toEqual(
      [
        ['a', 0, 1, 1, 0],
        ['a', 1, 2, 1, 0],
        ['a', 2, 3, 1, 0],
        ['b', 0, 1, 1, 0],
      ].sort(),
    );
  });

  it('a partition that returns from idleness cannot move the watermark back', () => {
    const op = createWindowOperator({ ...cfg, allowedLatenessS: 1 });
    feed(op, [mk({ t: 0.5, seq: 0, vehicleId: 'b' })], { partition: 1, nowMs: 0 });
    feed(op, [mk({ t: 4.2, seq: 0, vehicleId: 'a' })], { partition: 0, nowMs: 500 });
    op.advanceIdle(1000);
    expect(op.watermark('run_test')).toBe(4.2);
    const r = feed(op, [mk({ t: 0.9, seq: 1, vehicleId: 'b' })], { partition: 1, nowMs: 1100 });
    expect(r.rejected.map((x) => x.reason)).toEqual(['late']);
    expect(op.watermark('run_test')).toBe(4.2);
  });

  it('closes a run whose partitions all went quiet for idleRunCloseMs', () => {
    const op = createWindowOperator({ ...cfg, idleRunCloseMs: 5000 });
    feed(op, [mk({ t: 0.5, seq: 0 }), mk({ t: 1.5, seq: 1 })], { nowMs: 0 });
    expect(op.advanceIdle(4999).emitted).toEqual([]);
    expect(spans(op.advanceIdle(5000).emitted)).toEqual([['ego', 1, 2, 1, 0]]);
    expect(op.stats().openWindows).toBe(0);
  });

  it('keeps runs apart: a new run on a partition carrying an older run is not late', () => {
    const op = createWindowOperator(cfg);
    const old = feed(
      op,
      [100.1, 101.1, 102.1].map((t, i) => mk({ t, seq: i, runId: 'old' })),
    );
    expect(old.emitted).toHaveLength(2);
    const fresh = feed(
      op,
      [0.1, 1.1].map((t, i) => mk({ t, seq: i, runId: 'new' })),
      { from: 3 },
    );
    expect(fresh.rejected).toEqual([]);
    expect(spans(fresh.emitted)).toEqual([['ego', 0, 1, 1, 0]]);
    expect(fresh.emitted[0]!.runId).toBe('new');
  });

  it('rejects a frame whose orgId differs from its run’s', () => {
    const op = createWindowOperator(cfg);
    feed(op, [mk({ t: 0.1, seq: 0 })]);
    const r = feed(op, [mk({ t: 0.2, seq: 1, orgId: 'org_other' })], { from: 1 });
    expect(r.rejected.map((x) => x.reason)).toEqual(['tenant']);
    expect(op.stats().tenantRejected).toBe(1);
    expect(op.flush(0).emitted.map((m) => m.frameCount)).toEqual([1]);
  });
});

describe('end of a run', () => {
  it('flushRun emits what is pending, then rejects frames for its closed windows', () => {
    const op = createWindowOperator({ sliding: null, outOfOrdernessS: 0.5, allowedLatenessS: 5 });
    feed(op, [mk({ t: 0.1, seq: 0 }), mk({ t: 0.6, seq: 1 })]);
    feed(op, [mk({ t: 0.2, seq: 0, runId: 'other' })], { from: 2 });
    expect(spans(op.flushRun('run_test', 0).emitted)).toEqual([['ego', 0, 1, 2, 0]]);
    const r = feed(op, [mk({ t: 0.7, seq: 2 })], { from: 3 });
    expect(r.rejected.map((x) => x.reason)).toEqual(['late']);
    // The other run is untouched.
    expect(op.flush(0).emitted.map((m) => m.runId)).toEqual(['other']);
  });

  it('uses a run’s own sensor rate for the missing-frame ratio', () => {
    const op = createWindowOperator({ sliding: null, sensorHz: 20 });
    op.setRunSensorRate('run_test', 10);
    feed(
      op,
      [0, 0.1, 0.2, 0.3, 0.4].map((t, i) => mk({ t, seq: i })),
    );
    expect(named(op.flush(0).emitted[0]!).missing_frame_ratio).toBeCloseTo(0.5, 12);
  });

  it('rejects configurations it cannot honour', () => {
    expect(() => createWindowOperator({ sliding: { sizeS: 10.5, hopS: 1 } })).toThrow(/multiple/);
    expect(() => createWindowOperator({ sliding: { sizeS: 10, hopS: 20 } })).toThrow(/hop/);
    expect(() => createWindowOperator({ windowSizeS: 0 })).toThrow();
  });
});
