import type { Namespace, Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { metrics } from '~/server/observability/metrics';
import { startLiveRelay } from '~/server/realtime/live';
import fc from 'fast-check';
import { frame } from '../helpers/frames';
import { count, fuzzParams, hostileValue, printCounts } from '../helpers/fuzz';
import { isolatedTopics } from '../helpers/kafka';
import { liveClients, startLiveServer } from '../helpers/live-sockets';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';

type Batch = { room: string; frames: TelemetryFrame[] };

describe('live channel (/live) on the real Kafka', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  let io: Server;
  let relay: Awaited<ReturnType<typeof startLiveRelay>>;
  let base: string;
  let a: OrgFixture;
  let b: OrgFixture;
  const { client, connected, join, sessionCookie, disconnectAll } = liveClients(() => base);

  beforeAll(async () => {
    t = await isolatedTopics('live', 2);
    [a, b] = [await makeOrg('live-a'), await makeOrg('live-b')];
    let live: Namespace;
    ({ io, live, base } = await startLiveServer());
    relay = await startLiveRelay(t.kafka, live, {
      prefix: t.prefix,
      rateHz: 5,
      intervalMs: 100,
      maxBufferedPackets: 5,
    });
  });

  afterAll(async () => {
    disconnectAll();
    await relay.stop();
    await io.close();
    await t.cleanup();
  });

  it('refuses a handshake without credentials or with a revoked key', async () => {
    await expect(connected(client({}))).rejects.toThrow(/UNAUTHORIZED/);
    await expect(connected(client({ apiKey: 'dlk_notakey' }))).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('answers every malformed apiKey with a connect_error and its reason, never silence (issue 19)', async () => {
    const bad: unknown[] = ['dlk_a\nb', 'dlk_\u0000x', 'dlk_🚗🚗', 'x'.repeat(10_000), 42, { k: 1 }, ['a'], '', 'a b'];
    for (const apiKey of bad) {
      const s = client({ apiKey });
      const outcome = await Promise.race([
        connected(s).then(
          () => ({ connected: true, message: '', data: undefined as unknown }),
          (e: unknown) => {
            const err = e as Error & { data?: unknown };
            return { connected: false, message: err.message, data: err.data };
          },
        ),
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer for ${String(apiKey)}`)), 5000)),
      ]);
      expect(outcome.connected, JSON.stringify(apiKey)?.slice(0, 40)).toBe(false);
      expect(outcome.message).toMatch(/^UNAUTHORIZED: /);
      expect(outcome.data).toMatchObject({ code: 'UNAUTHORIZED' });
      s.disconnect();
    }
  });

  it('fuzz: any apiKey gets an answer, any join payload a clean refusal (issue 19)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue, async (apiKey) => {
        count('socket.io auth');
        const s = client({ apiKey });
        const answered = await Promise.race([
          connected(s).then(
            () => 'connected',
            () => 'connect_error',
          ),
          new Promise<string>((r) => setTimeout(() => r('silence'), 5000)),
        ]);
        s.disconnect();
        expect(answered).not.toBe('silence');
      }),
      fuzzParams(8),
    );
    const member = client({ apiKey: a.apiKey.key });
    await connected(member);
    await fc.assert(
      fc.asyncProperty(hostileValue, async (room) => {
        count('socket.io join');
        const ack = (await member.timeout(5000).emitWithAck('join', { room })) as { ok: boolean; code?: string };
        expect(ack.ok).toBe(false);
        expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(ack.code);
      }),
      fuzzParams(20),
    );
    member.disconnect();
    printCounts('socket.io');
  });

  it("lets members join their org's run and org rooms; another org's member gets NOT_FOUND", async () => {
    const member = client({ cookie: await sessionCookie(a.users.viewer.id) });
    await connected(member);
    expect(await join(member, `run:${a.ids.runId}`)).toMatchObject({ ok: true });
    expect(await join(member, `org:${a.org.slug}`)).toMatchObject({ ok: true });
    const outsider = client({ cookie: await sessionCookie(b.users.owner.id) });
    await connected(outsider);
    expect(await join(outsider, `run:${a.ids.runId}`)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await join(outsider, `org:${a.org.slug}`)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await join(outsider, 'run:does-not-exist')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await join(outsider, 'everything')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/BAD_REQUEST/),
    });
    const keyOfB = client({ apiKey: b.apiKey.key });
    await connected(keyOfB);
    expect(await join(keyOfB, `run:${a.ids.runId}`)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await join(keyOfB, `run:${b.ids.runId}`)).toMatchObject({ ok: true });
  });

  it('relays telemetry in ~100 ms batches, downsampled per vehicle, only to the run room', async () => {
    const watcher = client({ apiKey: a.apiKey.key });
    await connected(watcher);
    await join(watcher, `run:${a.ids.runId}`);
    const other = client({ apiKey: b.apiKey.key });
    await connected(other);
    await join(other, `run:${b.ids.runId}`);
    const got: Batch[] = [];
    const leaked: Batch[] = [];
    watcher.on('batch', (x: Batch) => got.push(x));
    other.on('batch', (x: Batch) => leaked.push(x));

    const producer = createProducer(t.kafka);
    await producer.connect();
    // 3 s of a 20 Hz run with 4 vehicles, produced in real time-ish chunks.
    for (let chunk = 0; chunk < 15; chunk++) {
      const frames = [];
      for (let i = chunk * 4; i < chunk * 4 + 4; i++)
        for (let v = 0; v < 4; v++)
          frames.push(
            frame({ orgId: a.org.id, runId: a.ids.runId, vehicleId: `v${v}`, seq: i, t: i * 0.05, ts: Date.now() }),
          );
      await producer.send({
        topic: t.name(TOPICS.telemetry),
        messages: frames.map((f) => ({ key: `${f.runId}:${f.vehicleId}`, value: JSON.stringify(f) })),
      });
      await new Promise((r) => setTimeout(r, 40));
    }
    await producer.disconnect();
    await expect
      .poll(() => got.flatMap((b) => b.frames).filter((f) => f.vehicleId === 'v0').length, { timeout: 10_000 })
      .toBe(3 * 5);
    const v0 = got
      .flatMap((b) => b.frames)
      .filter((f) => f.vehicleId === 'v0')
      .map((f) => Number(f.t.toFixed(2)));
    expect(v0).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8]);
    expect(got.length).toBeGreaterThan(1);
    expect(got.every((x) => x.room === `run:${a.ids.runId}`)).toBe(true);
    expect(leaked.flatMap((x) => x.frames)).toHaveLength(0);
  });

  it('a client that stops reading is skipped; the others keep their pace', async () => {
    // A raw engine.io polling client that joins, then never polls again: its packets pile up.
    const poll = `${base}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(poll)).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const post = (body: string) => fetch(`${poll}&sid=${sid}`, { method: 'POST', body });
    await post(`40/live,${JSON.stringify({ apiKey: a.apiKey.key })}`);
    expect(await (await fetch(`${poll}&sid=${sid}`)).text()).toMatch(/^40\/live,/);
    await post(`42/live,0["join",{"room":"run:${a.ids.runId}"}]`);
    expect(await (await fetch(`${poll}&sid=${sid}`)).text()).toContain('"ok":true');

    const fast = client({ apiKey: a.apiKey.key });
    await connected(fast);
    await join(fast, `run:${a.ids.runId}`);
    const arrivals: number[] = [];
    fast.on('batch', () => arrivals.push(Date.now()));
    const droppedBefore =
      (await metrics.registry.getSingleMetric('drivelab_live_dropped_batches_total')!.get()).values[0]?.value ?? 0;

    const producer = createProducer(t.kafka);
    await producer.connect();
    for (let i = 0; i < 40; i++) {
      await producer.send({
        topic: t.name(TOPICS.telemetry),
        messages: [
          {
            key: 'k',
            value: JSON.stringify(
              frame({
                orgId: a.org.id,
                runId: a.ids.runId,
                vehicleId: 'slowtest',
                seq: i,
                t: 10 + i * 0.25,
                ts: Date.now(),
              }),
            ),
          },
        ],
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    await producer.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    const droppedAfter =
      (await metrics.registry.getSingleMetric('drivelab_live_dropped_batches_total')!.get()).values[0]?.value ?? 0;
    expect(droppedAfter).toBeGreaterThan(droppedBefore);
    // The fast client got a steady stream throughout: batches at least every ~0.5 s.
    expect(arrivals.length).toBeGreaterThan(10);
    const gaps = arrivals.slice(1).map((x, i) => x - arrivals[i]!);
    expect(Math.max(...gaps)).toBeLessThan(600);
  });
});
