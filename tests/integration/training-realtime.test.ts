import type { Namespace, Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import type { TrainingProgress } from '~/server/contracts/training';
import { db } from '~/server/db';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { startTrainingRelay, TRAINING_EVENT } from '~/server/realtime/training-relay';
import { progressOf } from '~/workers/trainer/job-runner';
import { collect, isolatedTopics } from '../helpers/kafka';
import { liveClients, startLiveServer } from '../helpers/live-sockets';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';

type TrainingBatch = { room: string; updates: TrainingProgress[] };

describe('training progress over Socket.IO (dl.training → job:<id> rooms)', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  let io: Server;
  let relay: Awaited<ReturnType<typeof startTrainingRelay>>;
  let base: string;
  let a: OrgFixture;
  let b: OrgFixture;
  const { client, connected, join, sessionCookie, disconnectAll } = liveClients(() => base);

  beforeAll(async () => {
    t = await isolatedTopics('training-rt', 2);
    [a, b] = [await makeOrg('trt-a'), await makeOrg('trt-b')];
    let live: Namespace;
    ({ io, live, base } = await startLiveServer());
    relay = await startTrainingRelay(t.kafka, live, db, { prefix: t.prefix, intervalMs: 100 });
  });
  afterAll(async () => {
    disconnectAll();
    await relay.stop();
    await io.close();
    await t.cleanup();
  });

  it('only members of the job’s org may join job:<id>', async () => {
    const member = client({ cookie: await sessionCookie(a.users.viewer.id) });
    await connected(member);
    expect(await join(member, `job:${a.ids.trainingJobId}`)).toMatchObject({
      ok: true,
      room: `job:${a.ids.trainingJobId}`,
    });
    const outsider = client({ cookie: await sessionCookie(b.users.owner.id) });
    await connected(outsider);
    expect(await join(outsider, `job:${a.ids.trainingJobId}`)).toMatchObject({
      ok: false,
      error: 'NOT_FOUND',
      code: 'NOT_FOUND',
    });
    expect(await join(outsider, 'job:no-such-job')).toMatchObject({ ok: false, error: 'NOT_FOUND', code: 'NOT_FOUND' });
    const keyOfB = client({ apiKey: b.apiKey.key });
    await connected(keyOfB);
    expect(await join(keyOfB, `job:${a.ids.trainingJobId}`)).toMatchObject({
      ok: false,
      error: 'NOT_FOUND',
      code: 'NOT_FOUND',
    });
  });

  it('relays every epoch to the job room, in order; a message claiming another org goes to dl.dlq', async () => {
    const watcher = client({ apiKey: a.apiKey.key });
    await connected(watcher);
    expect(await join(watcher, `job:${a.ids.trainingJobId}`)).toMatchObject({ ok: true });
    const bWatcher = client({ apiKey: b.apiKey.key });
    await connected(bWatcher);
    expect(await join(bWatcher, `org:${b.org.slug}`)).toMatchObject({ ok: true });
    const received: TrainingProgress[] = [];
    const leaked: TrainingProgress[] = [];
    watcher.on(TRAINING_EVENT, (batch: TrainingBatch) => received.push(...batch.updates));
    bWatcher.on(TRAINING_EVENT, (batch: TrainingBatch) => leaked.push(...batch.updates));

    const job = { id: a.ids.trainingJobId, orgId: a.org.id, experimentRunId: a.ids.experimentRunId, attempts: 1 };
    const producer = createProducer(t.kafka);
    await producer.connect();
    const send = (p: TrainingProgress) =>
      producer.send({ topic: t.name(TOPICS.training), messages: [{ key: p.jobId, value: JSON.stringify(p) }] });
    // Forged: A's job published as if it were B's; must not reach B's org room.
    await send({ ...progressOf(job, { state: 'running', epoch: 1, maxEpochs: 5, loss: 9 }), orgId: b.org.id });
    for (let e = 1; e <= 5; e++)
      await send(
        progressOf(job, {
          state: e === 5 ? 'completed' : 'running',
          epoch: e,
          maxEpochs: 5,
          loss: 1 / e,
          valLoss: 2 / e,
          progress: e / 5,
        }),
      );
    await producer.send({ topic: t.name(TOPICS.training), messages: [{ key: 'x', value: '{"v":1,"jobId":' }] });
    await producer.disconnect();

    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(5);
    expect(received.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(received.at(-1)).toMatchObject({ state: 'completed', loss: 0.2, valLoss: 0.4 });
    const dlq = await collect(
      t.kafka,
      t.name(TOPICS.dlq),
      (v) => dlqMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.length >= 2,
      15_000,
    );
    expect(dlq.map((d) => d.reason).sort()).toEqual(['parse', 'tenant']);
    expect(leaked).toEqual([]);
  });
});
