import { describe, expect, it } from 'vitest';
import { sendThroughOutage } from '~/workers/sim/kafka-publisher';

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('sendThroughOutage (the simulator across a broker restart)', () => {
  it('retries a failing send until the broker answers again, then resolves once', async () => {
    const c = clock();
    let calls = 0;
    const retried: unknown[] = [];
    await sendThroughOutage(
      async () => {
        calls++;
        if (c.now() < 20_000) throw new Error('connect ECONNREFUSED');
      },
      { ...c, outageMs: 120_000, onRetry: (e) => retried.push(e) },
    );
    expect(c.now()).toBeGreaterThanOrEqual(20_000);
    expect(calls).toBe(retried.length + 1);
    expect(calls).toBeGreaterThan(3);
  });

  it('gives up with the last error once the outage outlasts outageMs', async () => {
    const c = clock();
    await expect(
      sendThroughOutage(
        async () => {
          throw new Error(`down at ${c.now()}`);
        },
        { ...c, outageMs: 30_000 },
      ),
    ).rejects.toThrow(/down at/);
    expect(c.now()).toBeGreaterThanOrEqual(30_000);
    expect(c.now()).toBeLessThan(40_000);
  });
});
