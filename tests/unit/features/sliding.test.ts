import { describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createWindowOperator, type WindowOperatorConfig } from '~/workers/features';
import { expectClose, mk, named, referenceFeatures, upsert } from './helpers';
import { messyStream } from './stream';

const CFG: Partial<WindowOperatorConfig> = { outOfOrdernessS: 0.2, allowedLatenessS: 2, sensorHz: 20 };

function runAll(frames: TelemetryFrame[], cfg: Partial<WindowOperatorConfig> = CFG) {
  const op = createWindowOperator(cfg);
  const emitted: FeaturesMessage[] = [];
  const rejected = new Set<TelemetryFrame | object>();
  frames.forEach((f, i) => {
    const out = op.ingest(f, { partition: 0, offset: i }, 0);
    emitted.push(...out.emitted);
    for (const r of out.rejected) rejected.add(r.frame);
  });
  emitted.push(...op.flush(0).emitted);
  return { op, emitted, rejected, rows: upsert(new Map(), emitted) };
}

describe('sliding aggregates built from tumbling partials', () => {
  const frames = messyStream({ seed: 7, vehicles: ['ego', 'npc1'], seconds: 40, delay: 0.04, maxDelayS: 3 });
  const { op, emitted, rejected, rows } = runAll(frames);
  const accepted = frames.filter((f) => !rejected.has(f));

  it('the stream exercises what it should: late updates, late rejects, duplicates, gaps', () => {
    const s = op.stats();
    expect(s.lateUpdates).toBeGreaterThan(0);
    expect(s.lateRejected).toBeGreaterThan(0);
    expect(s.lateRejected).toBe(rejected.size);
    expect(emitted.some((m) => m.kind === 'sliding' && m.revision > 0)).toBe(true);
    expect(new Set(frames).size).toBeLessThan(frames.length);
  });

  it('every final row equals a recomputation from the raw accepted frames of its window', () => {
    let checked = 0;
    for (const m of rows.values()) {
      const inWindow = accepted.filter((f) => f.vehicleId === m.vehicleId && f.t >= m.windowStart && f.t < m.windowEnd);
      expectClose(
        named(m),
        referenceFeatures(inWindow, m.windowStart, m.windowEnd, 20),
        `${m.kind} ${m.vehicleId} [${m.windowStart}, ${m.windowEnd}) rev ${m.revision}`,
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('emits exactly the sliding windows that hold data, from [−9, 1) to the run’s end', () => {
    for (const vehicle of ['ego', 'npc1']) {
      const got = [...rows.values()]
        .filter((m) => m.kind === 'sliding' && m.vehicleId === vehicle)
        .map((m) => [m.windowStart, m.windowEnd])
        .sort((a, b) => a[0]! - b[0]!);
      const seconds = new Set(accepted.filter((f) => f.vehicleId === vehicle).map((f) => Math.floor(f.t)));
      const want: number[][] = [];
      for (let s = -9; s < 40; s++) {
        let any = false;
        for (let k = s; k < s + 10; k++) if (seconds.has(k)) any = true;
        if (any) want.push([s, s + 10]);
      }
      expect(got).toEqual(want);
    }
  });

  it('every tumbling window with data is emitted once per revision, revisions counting up from 0', () => {
    const byKey = new Map<string, number[]>();
    for (const m of emitted.filter((x) => x.kind === 'tumbling')) {
      const k = `${m.vehicleId}|${m.windowStart}`;
      byKey.set(k, [...(byKey.get(k) ?? []), m.revision]);
    }
    for (const [k, revs] of byKey) expect(revs, k).toEqual(revs.map((_, i) => i));
    const seconds = new Set(accepted.map((f) => `${f.vehicleId}|${Math.floor(f.t)}`));
    expect(new Set(byKey.keys())).toEqual(seconds);
  });

  it('a late frame re-emits the sliding windows that contain it, with revision + 1', () => {
    const op2 = createWindowOperator({ outOfOrdernessS: 0, allowedLatenessS: 3 });
    const seq = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5];
    seq.forEach((t, i) => op2.ingest(mk({ t, seq: i * 2, speed: 10 }), { partition: 0, offset: i }, 0));
    // Watermark 11.5: sliding [−9, 1) … [1, 11) were emitted, [2, 12) was not.
    const out = op2.ingest(mk({ t: 9.7, seq: 19, speed: 20 }), { partition: 0, offset: 12 }, 0).emitted;
    expect(out.map((m) => [m.kind, m.windowStart, m.revision, m.frameCount])).toEqual([
      ['tumbling', 9, 1, 2],
      ['sliding', 0, 1, 11],
      ['sliding', 1, 1, 11],
    ]);
    expect(named(out[2]!).speed_mean).toBeCloseTo((10 * 10 + 20) / 11, 12);
  });

  it('works with other geometries (0.5 s tumbling, 3 s sliding, 1.5 s hop)', () => {
    const cfg = { ...CFG, windowSizeS: 0.5, sliding: { sizeS: 3, hopS: 1.5 } };
    const fs = messyStream({ seed: 11, vehicles: ['ego'], seconds: 12 });
    const r = runAll(fs, cfg);
    const acc = fs.filter((f) => !r.rejected.has(f));
    const sliding = [...r.rows.values()].filter((m) => m.kind === 'sliding');
    expect(sliding.length).toBeGreaterThan(7);
    for (const m of sliding) {
      expect(m.windowEnd - m.windowStart).toBeCloseTo(3, 12);
      expect((m.windowStart / 1.5) % 1).toBeCloseTo(0, 12);
      const inWindow = acc.filter((f) => f.t >= m.windowStart && f.t < m.windowEnd);
      expectClose(
        named(m),
        referenceFeatures(inWindow, m.windowStart, m.windowEnd, 20),
        `[${m.windowStart}, ${m.windowEnd})`,
      );
    }
  });
});
