import { describe, expect, it } from 'vitest';
import { StatusFeedWatch } from '~/server/runs/status-feed';

function watch() {
  let t = 1_000_000;
  const w = new StatusFeedWatch(15_000, () => t);
  const advance = (ms: number) => (t += ms);
  /** A healthy feed for ms: a fetch every 5 s (kafkajs' default fetch wait). */
  const flow = (ms: number) => {
    for (let done = 0; done < ms; done += 5000) {
      advance(Math.min(5000, ms - done));
      w.fetched();
    }
  };
  return { w, advance, flow, at: () => t };
}

describe('StatusFeedWatch (when the heartbeat reaper may fail runs)', () => {
  it('reaps nothing before the first fetch', () => {
    const { w } = watch();
    expect(w.reapCutoff(20_000)).toBeNull();
  });

  it('reaps only after the feed has been up for the whole timeout, with cutoff = now − timeout', () => {
    const { w, advance, at } = watch();
    w.fetched();
    for (let i = 0; i < 3; i++) {
      advance(5000);
      w.fetched();
    }
    expect(w.reapCutoff(20_000)).toBeNull();
    advance(5000);
    w.fetched();
    expect(w.reapCutoff(20_000)?.getTime()).toBe(at() - 20_000);
  });

  it('a broker outage (no fetch for longer than the gap) stops reaping, and it restarts only a full timeout after fetches resume', () => {
    const { w, advance, flow, at } = watch();
    w.fetched();
    flow(30_000);
    expect(w.reapCutoff(20_000)).not.toBeNull();
    advance(16_000); // no fetch: the broker is down
    expect(w.reapCutoff(20_000)).toBeNull();
    w.fetched(); // back
    expect(w.reapCutoff(20_000)).toBeNull();
    flow(19_000);
    expect(w.reapCutoff(20_000)).toBeNull();
    flow(2000);
    expect(w.reapCutoff(20_000)?.getTime()).toBe(at() - 20_000);
  });

  it('a crash or rebalance counts as an interruption even when fetches were recent', () => {
    const { w, flow } = watch();
    w.fetched();
    flow(25_000);
    expect(w.reapCutoff(20_000)).not.toBeNull();
    w.interrupted();
    expect(w.reapCutoff(20_000)).toBeNull();
    flow(1000);
    expect(w.reapCutoff(20_000)).toBeNull();
    flow(20_000);
    expect(w.reapCutoff(20_000)).not.toBeNull();
  });
});
