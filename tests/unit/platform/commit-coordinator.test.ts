import { describe, expect, it } from 'vitest';
import { CommitCoordinator, type CommitEntry } from '~/server/kafka/commit-coordinator';

const entry = (partition: number, offset: number): CommitEntry => ({ topic: 't', partition, offset: String(offset) });

function recorder() {
  const log: string[] = [];
  const committed: CommitEntry[][] = [];
  return { log, committed, commit: async (e: CommitEntry[]) => void (committed.push(e), log.push('commit')) };
}

describe('CommitCoordinator', () => {
  it('commits only after every write queued before the commit is acknowledged', async () => {
    const r = recorder();
    const c = new CommitCoordinator({ sinks: ['a', 'b'], commit: r.commit });
    let release!: () => void;
    c.sink('a').push(() => new Promise<void>((ok) => (release = ok)).then(() => void r.log.push('a')));
    c.sink('b').push(async () => void r.log.push('b'));
    const done = c.commit([entry(0, 10)], () => c.sink('b').push(async () => void r.log.push('b2')));
    await new Promise((ok) => setTimeout(ok, 20));
    expect(r.log).toEqual(['b', 'b2']);
    release();
    expect(await done).toBe(true);
    expect(r.log).toEqual(['b', 'b2', 'a', 'commit']);
    expect(c.commits).toBe(1);
  });

  it('stops committing for good once a sink fails for good, and says so once', async () => {
    const r = recorder();
    const fatal: unknown[] = [];
    const c = new CommitCoordinator({ sinks: ['a'], commit: r.commit, attempts: 2, onFatal: (e) => fatal.push(e) });
    let calls = 0;
    c.sink('a').push(async () => {
      calls++;
      throw new Error('down');
    });
    expect(await c.commit([entry(0, 5)])).toBe(false);
    expect(calls).toBe(2);
    expect(c.failed).toBe(true);
    expect(fatal).toHaveLength(1);
    expect(await c.commit([entry(0, 6)])).toBe(false);
    expect(r.committed).toEqual([]);
  });

  it('retries a failing write before giving up', async () => {
    const r = recorder();
    const c = new CommitCoordinator({ sinks: ['a'], commit: r.commit, attempts: 3 });
    let calls = 0;
    c.sink('a').push(async () => {
      if (++calls < 2) throw new Error('blip');
    });
    expect(await c.commit([entry(0, 1)])).toBe(true);
    expect(calls).toBe(2);
    expect(c.failed).toBe(false);
  });

  it('a refused commit is only late: the next one goes through', async () => {
    let refuse = true;
    const committed: CommitEntry[][] = [];
    const c = new CommitCoordinator({
      commit: async (e) => {
        if (refuse) throw new Error('rebalancing');
        committed.push(e);
      },
    });
    expect(await c.commit([entry(0, 1)])).toBe(false);
    refuse = false;
    expect(await c.commit([entry(0, 2)])).toBe(true);
    expect(committed).toEqual([[entry(0, 2)]]);
    expect(c.failed).toBe(false);
  });

  it('skipUnchanged leaves out offsets that did not move', async () => {
    const r = recorder();
    const c = new CommitCoordinator({ commit: r.commit, skipUnchanged: true });
    await c.commit([entry(0, 1), entry(1, 1)]);
    expect(await c.commit([entry(0, 1), entry(1, 2)])).toBe(true);
    expect(await c.commit([entry(0, 1), entry(1, 2)])).toBe(false);
    expect(r.committed).toEqual([[entry(0, 1), entry(1, 1)], [entry(1, 2)]]);
  });

  it('without skipUnchanged every snapshot is committed (another copy may have moved the group)', async () => {
    const r = recorder();
    const c = new CommitCoordinator({ commit: r.commit });
    await c.commit([entry(0, 1)]);
    await c.commit([entry(0, 1)]);
    expect(r.committed).toHaveLength(2);
  });

  it('backPressure waits for a sink with too many writes queued', async () => {
    const c = new CommitCoordinator({ sinks: ['a'], commit: async () => undefined, maxQueued: 1 });
    let written = 0;
    for (let i = 0; i < 3; i++)
      c.sink('a').push(async () => {
        await new Promise((ok) => setTimeout(ok, 5));
        written++;
      });
    await c.backPressure();
    expect(written).toBe(3);
    expect(() => c.sink('nope')).toThrow(/no sink named nope/);
  });
});
