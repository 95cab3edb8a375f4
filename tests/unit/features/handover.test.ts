import { describe, expect, it } from 'vitest';
import type { FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createWindowOperator, decodeCommitMetadata, type CommittableOffset } from '~/workers/features';
import { mk, upsert } from './helpers';
import { rng } from './stream';

/**
 * Scaling out mid-run, as the worker does it: on every rebalance a copy forgets all its windows
 * and restores each partition it now owns from that partition's last commit, which another copy
 * may have made at another point of the run. Frames are replayed from there.
 */
interface Msg {
  frame: TelemetryFrame;
  partition: number;
  offset: number;
}

/** Vehicles v0..v3, one per partition, 20 Hz, delivered merged by event time. */
function stream(seconds: number): Msg[] {
  const out: Msg[] = [];
  const next = [0, 0, 0, 0];
  for (let seq = 0; seq < seconds * 20; seq++) {
    for (let v = 0; v < 4; v++)
      out.push({ frame: mk({ t: seq / 20, seq, vehicleId: `v${v}` }), partition: v, offset: next[v]!++ });
  }
  return out;
}

class Copy {
  op = createWindowOperator();
  owned: number[] = [];
  /** Next offset to read per owned partition. */
  pos = new Map<number, number>();
}

/** The group's committed offsets, and what a copy does with them on a rebalance. */
class Group {
  readonly commits = new Map<number, CommittableOffset>();

  /** The copy forgets its windows and restores each partition it now owns from its last commit. */
  assign(c: Copy, partitions: number[], now: number): void {
    c.op.revokePartitions([...c.owned]);
    c.owned = partitions;
    c.op.assignPartitions(partitions);
    c.pos.clear();
    for (const p of partitions) {
      const x = this.commits.get(p);
      if (x) c.op.restore(p, Number(x.offset), x.metadata, now);
      c.pos.set(p, x ? Number(x.offset) : 0);
    }
  }

  commit(c: Copy): void {
    for (const x of c.op.committableOffsets()) if (c.owned.includes(x.partition)) this.commits.set(x.partition, x);
  }
}

/** The windows of the same messages through one operator, in order, with nothing moving. */
function undisturbed(msgs: readonly Msg[]): Map<string, FeaturesMessage> {
  const reference = new Map<string, FeaturesMessage>();
  const ref = createWindowOperator();
  for (const m of msgs) upsert(reference, ref.ingest(m.frame, m, 0).emitted);
  return upsert(reference, ref.flush(0).emitted);
}

describe('partitions handed over between copies mid-run', () => {
  it('gives every window once, with the values of an undisturbed run, whatever the copies committed', () => {
    const all = stream(40);
    const reference = undisturbed(all);
    const got = new Map<string, FeaturesMessage>();
    const group = new Group();
    /** Each copy reads its partitions up to event time `until` (from where it is). */
    const run = (copies: Copy[], until: number, now: number) => {
      for (const m of all) {
        if (m.frame.t >= until) continue;
        const c = copies.find((x) => x.owned.includes(m.partition));
        if (!c || m.offset < c.pos.get(m.partition)!) continue;
        upsert(got, c.op.ingest(m.frame, m, now).emitted);
        c.pos.set(m.partition, m.offset + 1);
      }
    };

    const a = new Copy();
    const b = new Copy();
    group.assign(a, [0, 1, 2, 3], 0);
    run([a], 14, 0);
    group.commit(a);
    // B joins: A keeps 0 and 1, B takes 2 and 3.
    group.assign(a, [0, 1], 1000);
    group.assign(b, [2, 3], 1000);
    // The worker commits on a timer: often before a restored partition has been re-read at all.
    group.commit(a);
    group.commit(b);
    run([a, b], 17, 1000);
    group.commit(a);
    run([b], 24, 1000);
    group.commit(b);
    // B leaves: A takes everything again, each partition from its own last commit.
    group.assign(a, [0, 1, 2, 3], 2000);
    group.commit(a);
    // And B comes back once more, from those commits.
    group.assign(a, [0, 1], 3000);
    group.assign(b, [2, 3], 3000);
    group.commit(b);
    run([a, b], 30, 3000);
    group.commit(a);
    group.commit(b);
    group.assign(a, [0, 1, 2, 3], 4000);
    run([a], Infinity, 4000);
    upsert(got, a.op.flush(4000).emitted);

    expect([...reference.keys()].filter((k) => !got.has(k))).toEqual([]);
    for (const [k, m] of reference) expect(got.get(k)!.values, k).toEqual(m.values);
  });

  it('a commit made before a restored partition is re-read keeps its resume point', () => {
    const a = createWindowOperator();
    a.assignPartitions([0]);
    for (let seq = 0; seq < 300; seq++) a.ingest(mk({ t: seq / 20, seq }), { partition: 0, offset: seq }, 0);
    const c = a.committableOffsets()[0]!;
    const b = createWindowOperator({ idleRunCloseMs: 60_000 });
    b.assignPartitions([0]);
    b.restore(0, Number(c.offset), c.metadata, 1000);
    const again = b.committableOffsets()[0]!;
    expect(again.offset).toBe(c.offset);
    expect(decodeCommitMetadata(again.metadata)).toEqual(decodeCommitMetadata(c.metadata));
    // A run known only from the commit, quiet for idleRunCloseMs, is let go.
    b.advanceIdle(1000 + 60_000);
    expect(decodeCommitMetadata(b.committableOffsets()[0]!.metadata)?.size ?? 0).toBe(0);
  });

  it('holds for random schedules of joins, leaves and commits, with two runs in flight', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const r = rng(seed);
      // Two runs, the second starting later in wall order; vehicles spread over 4 partitions.
      const msgs: Msg[] = [];
      const next = [0, 0, 0, 0];
      const runs = [
        { id: 'run_a', vehicles: 2 + Math.floor(r() * 4), start: 0, seconds: 30 },
        { id: 'run_b', vehicles: 2 + Math.floor(r() * 4), start: 8 + Math.floor(r() * 8), seconds: 25 },
      ];
      for (let tick = 0; tick < 60 * 20; tick++) {
        for (const run of runs) {
          const seq = tick - run.start * 20;
          if (seq < 0 || seq >= run.seconds * 20) continue;
          for (let v = 0; v < run.vehicles; v++) {
            const p = (v + (run.id === 'run_b' ? 1 : 0)) % 4;
            msgs.push({
              frame: mk({ t: seq / 20, seq, vehicleId: `v${v}`, runId: run.id }),
              partition: p,
              offset: next[p]!++,
            });
          }
        }
      }
      const reference = undisturbed(msgs);
      const got = new Map<string, FeaturesMessage>();
      const group = new Group();
      const copies = [new Copy(), new Copy()];
      const owner = new Map<number, Copy>();
      let now = 0;
      const rebalance = (active: Copy[]) => {
        now += 1000;
        for (const c of copies) {
          const mine = active.includes(c) ? [0, 1, 2, 3].filter((p) => p % active.length === active.indexOf(c)) : [];
          group.assign(c, mine, now);
          for (const p of mine) owner.set(p, c);
        }
      };
      const commitAll = () => copies.forEach((c) => group.commit(c));
      rebalance([copies[0]!]);
      // Each copy reads its partitions in merged order; now and then the group changes or commits.
      let cursor = 0;
      // The last round has no group change after it: the owners read everything to the end.
      for (let last = false; !last;) {
        const stepEnd = Math.min(msgs.length, cursor + 1 + Math.floor(r() * 900));
        last = cursor >= msgs.length;
        for (const m of msgs.slice(0, stepEnd)) {
          const c = owner.get(m.partition)!;
          if (!c.owned.includes(m.partition) || m.offset < c.pos.get(m.partition)!) continue;
          upsert(got, c.op.ingest(m.frame, m, now).emitted);
          c.pos.set(m.partition, m.offset + 1);
        }
        cursor = stepEnd;
        if (last) break;
        if (r() < 0.7) commitAll();
        const x = r();
        if (x < 0.25) rebalance([copies[0]!, copies[1]!]);
        else if (x < 0.5) rebalance([copies[r() < 0.5 ? 0 : 1]!]);
      }
      commitAll();
      for (const c of copies) if (c.owned.length > 0) upsert(got, c.op.flush(now).emitted);

      const missing = [...reference.keys()].filter((k) => !got.has(k));
      expect(missing, `seed ${seed}`).toEqual([]);
      for (const [k, m] of reference) expect(got.get(k)!.values, `seed ${seed} ${k}`).toEqual(m.values);
    }
  });
});
