import { describe, expect, it } from 'vitest';
import type { SimEvent } from '~/server/contracts/events';
import type { RunStatus } from '~/server/contracts/run-status';
import { RelayBuffer } from '~/server/realtime/relay-buffer';
import { frame } from '../../helpers/frames';

const status = (over: Partial<RunStatus> = {}): RunStatus => ({
  v: 1,
  orgId: 'o1',
  runId: 'r1',
  state: 'running',
  progress: 0.1,
  simTime: 1,
  realTimeFactor: 1,
  ts: 1000,
  ...over,
});

describe('RelayBuffer', () => {
  it('downsamples each vehicle by event time to the configured rate', () => {
    const buf = new RelayBuffer({ rateHz: 5, maxFramesPerRoom: 10_000 });
    // 20 Hz for 2 s, two vehicles.
    for (let i = 0; i < 40; i++)
      for (const v of ['ego', 'npc-0']) buf.offerFrame(frame({ runId: 'r1', vehicleId: v, seq: i, t: i * 0.05 }));
    const batch = buf.flush().get('run:r1')!;
    for (const v of ['ego', 'npc-0']) {
      const ts = batch.frames.filter((f) => f.vehicleId === v).map((f) => Number(f.t.toFixed(2)));
      expect(ts).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
    }
  });

  it('batches per room: frames to the run, events and status to the run and its org', () => {
    const buf = new RelayBuffer({ rateHz: 10, maxFramesPerRoom: 100 });
    buf.offerFrame(frame({ runId: 'r1', orgId: 'o1', t: 0 }));
    buf.offerFrame(frame({ runId: 'r2', orgId: 'o1', t: 0 }));
    const ev = {
      v: 1,
      orgId: 'o1',
      runId: 'r1',
      vehicleId: 'ego',
      t: 0.5,
      ts: 1,
      type: 'hard_brake',
      data: { decel: 5, speed: 10, threshold: 4 },
    } as SimEvent;
    buf.offerEvent(ev);
    buf.offerStatus(status({ ts: 1 }));
    buf.offerStatus(status({ ts: 3, progress: 0.3 }));
    buf.offerStatus(status({ ts: 2, progress: 0.2 }));
    const out = buf.flush();
    expect([...out.keys()].sort()).toEqual(['org:o1', 'run:r1', 'run:r2']);
    expect(out.get('run:r1')!.frames).toHaveLength(1);
    expect(out.get('run:r1')!.events).toEqual([ev]);
    expect(out.get('org:o1')!.frames).toHaveLength(0);
    // Only the newest status survives a batch, whatever the arrival order.
    expect(out.get('run:r1')!.status!.progress).toBe(0.3);
    expect(buf.flush().size).toBe(0);
  });

  it('skips rooms nobody watches and bounds a burst by dropping the oldest frames', () => {
    const buf = new RelayBuffer({ rateHz: 1000, maxFramesPerRoom: 5 });
    for (let i = 0; i < 12; i++) buf.offerFrame(frame({ runId: 'r1', vehicleId: `v${i}`, t: 0 }));
    expect(buf.offerFrame(frame({ runId: 'unwatched', t: 0 }), (room) => room !== 'run:unwatched')).toBe(false);
    const out = buf.flush();
    expect(out.has('run:unwatched')).toBe(false);
    expect(out.get('run:r1')!.frames.map((f) => f.vehicleId)).toEqual(['v7', 'v8', 'v9', 'v10', 'v11']);
    expect(buf.dropped).toBe(7);
  });
});
