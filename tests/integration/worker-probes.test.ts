import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoWorker } from '../helpers/echo-worker';
import { isolatedTopics } from '../helpers/kafka';

interface Probe {
  status: number;
  body: { status: string; reasons: string[]; consumers: { groupId: string; phase: string; partitions: number }[] };
}

async function probe(port: number, path: '/healthz' | '/readyz'): Promise<Probe> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Probe['body'] };
}

async function until(port: number, path: '/healthz' | '/readyz', status: number, timeoutMs = 40_000): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  let last: Probe | undefined;
  while (Date.now() < deadline) {
    last = await probe(port, path);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${path} stayed ${last?.status}: ${JSON.stringify(last?.body)}`);
}

describe('worker /healthz and /readyz', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  beforeAll(async () => {
    // One partition: of two copies in one group, one is idle.
    t = await isolatedTopics('probes', 1);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('two copies of one group are both ready, the idle one with no partitions; both exit 0', async () => {
    const group = `probe-${randomBytes(4).toString('hex')}`;
    const a = startEchoWorker({ ECHO_GROUP: group, ECHO_PREFIX: t.prefix });
    const b = startEchoWorker({ ECHO_GROUP: group, ECHO_PREFIX: t.prefix });
    try {
      const [pa, pb] = await Promise.all([a.port, b.port]);
      const [ra, rb] = await Promise.all([until(pa, '/readyz', 200), until(pb, '/readyz', 200)]);
      // Both report the join; after the last join the partition belongs to exactly one of them.
      const deadline = Date.now() + 20_000;
      let parts: number[] = [];
      while (Date.now() < deadline) {
        const [qa, qb] = await Promise.all([probe(pa, '/readyz'), probe(pb, '/readyz')]);
        expect(qa.status).toBe(200);
        expect(qb.status).toBe(200);
        parts = [qa, qb].map((q) => q.body.consumers.find((c) => c.groupId === group)?.partitions ?? -1).sort();
        if (parts[0] === 0 && parts[1] === 1) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(parts).toEqual([0, 1]);
      expect(ra.body.status).toBe('ready');
      expect(rb.body.consumers[0]?.phase).toMatch(/joined|rebalancing/);
      expect((await probe(pa, '/healthz')).status).toBe(200);
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  });

  it('is live but not ready while its broker does not answer', async () => {
    // Nothing listens on this port (inside the range reserved for the deploy tests' own brokers).
    const w = startEchoWorker({ ECHO_GROUP: 'nobody', KAFKA_BROKERS: '127.0.0.1:19199' });
    try {
      const port = await w.port;
      const ready = await probe(port, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.reasons.join()).toMatch(/starting|has not joined/);
      expect((await probe(port, '/healthz')).status).toBe(200);
    } finally {
      w.child.kill('SIGKILL');
    }
  });
});
