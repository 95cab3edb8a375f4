import { describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import { latestPerVehicle, onlineIndexKey, onlineKey } from '~/server/store/online-features';
import { recordingKey } from '~/server/store/recordings';
import { buildUpsertStatements, dedupeWindows, float8ArrayLiteral } from '~/workers/features/offline-sql';
import { PartitionAligner } from '~/workers/features/partition-aligner';
import { highWaterOf, withHighWater } from '~/workers/features/resume-marker';
import { RunFinishTracker } from '~/workers/features/run-finish';

const win = (o: Partial<FeaturesMessage>): FeaturesMessage => ({
  v: 1,
  orgId: 'o',
  runId: 'r',
  vehicleId: 'v',
  windowStart: 0,
  windowEnd: 1,
  windowSize: 1,
  kind: 'tumbling',
  featureSetVersion: 'v1',
  names: ['a', 'b'],
  values: [1.5, null],
  frameCount: 20,
  emittedAt: 0,
  revision: 0,
  ...o,
});

describe('offline upsert batches', () => {
  it('writes doubles exactly and nulls as NULL', () => {
    expect(float8ArrayLiteral([0.1, null, -3e-12, 20])).toBe('{0.1,NULL,-3e-12,20}');
    expect(() => float8ArrayLiteral([NaN])).toThrow();
  });
  it('keeps one row per key, the highest revision winning', () => {
    const rows = dedupeWindows([
      win({ revision: 0, frameCount: 1 }),
      win({ revision: 2, frameCount: 3 }),
      win({ revision: 1, frameCount: 2 }),
      win({ windowStart: 1, windowEnd: 2 }),
    ]);
    expect(rows.map((r) => [r.windowStart, r.revision])).toEqual([
      [0, 2],
      [1, 0],
    ]);
  });
  it('splits into statements of at most maxRows, one array parameter per column', () => {
    const ms = Array.from({ length: 5 }, (_, i) => win({ windowStart: i, windowEnd: i + 1 }));
    const st = buildUpsertStatements(ms, 2);
    expect(st).toHaveLength(3);
    expect(st[0]!.values).toHaveLength(11);
    expect(st[2]!.values[3]).toEqual([4]);
    expect(st[0]!.text).toMatch(/ON CONFLICT \("runId","vehicleId","windowStart","windowSize"\) DO UPDATE/);
    expect(st[0]!.text).toMatch(/"revision" <= EXCLUDED."revision"/);
  });
});

describe('online store keys', () => {
  it('are scoped by org first', () => {
    expect(onlineKey('org1', 'run1', 'ego')).toBe('fs:org1:run1:ego');
    expect(onlineIndexKey('org1')).toBe('fs:idx:org1');
    expect(recordingKey('org1', 'run1')).toBe('recordings/org1/run1.mcap');
    expect(() => recordingKey('../x', 'run1')).toThrow();
  });
  it('keeps the newest window per vehicle and kind', () => {
    const out = latestPerVehicle([
      win({ windowStart: 5, windowEnd: 6 }),
      win({ windowStart: 3, windowEnd: 4, revision: 4 }),
      win({ kind: 'sliding', windowSize: 10 }),
    ]);
    expect(out.map((m) => [m.kind, m.windowStart])).toEqual([
      ['tumbling', 5],
      ['sliding', 0],
    ]);
  });
});

describe('partition aligner', () => {
  it('holds a partition ahead of another and releases both merged by event time', () => {
    const a = new PartitionAligner<string>(50);
    a.assign([0, 1], 0);
    a.add(
      0,
      [0, 1, 2, 3].map((t) => ({ partition: 0, ts: 1000, t, value: `p0@${t}` })),
      true,
      1000,
    );
    // Partition 1 has not delivered anything yet: nothing may go.
    expect(a.release()).toEqual([]);
    a.add(
      1,
      [0, 1].map((t) => ({ partition: 1, ts: 1040, t, value: `p1@${t}` })),
      true,
      1100,
    );
    // Within the slack of the last check: still held, until a later high-watermark poll.
    expect(a.release()).toEqual([]);
    a.markCaughtUp(0, 1200);
    a.markCaughtUp(1, 1200);
    expect(a.release().map((i) => i.value)).toEqual(['p0@0', 'p1@0', 'p0@1', 'p1@1', 'p0@2', 'p0@3']);
    expect(a.held).toBe(0);
  });
});

describe('resume marker and finished runs', () => {
  it('adds the high water to the commit metadata', () => {
    expect(highWaterOf(withHighWater('{"v":1,"runs":{}}', 42))).toBe(42);
    expect(highWaterOf('nope')).toBe(-1);
  });
  it('flushes a finished run once its watermark reached the last tick, or after the grace period', () => {
    const f = new RunFinishTracker(1000);
    f.finished('a', 30, 0);
    f.finished('b', 30, 0);
    const wm = (r: string) => (r === 'a' ? 29.75 : 10);
    expect(f.due(wm, () => 20, 0.2, 10)).toEqual(['a']);
    expect(f.due(wm, () => 20, 0.2, 500)).toEqual([]);
    expect(f.due(wm, () => 20, 0.2, 1000)).toEqual(['b']);
  });
});
