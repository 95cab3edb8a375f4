import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { startEchoWorker } from '../helpers/echo-worker';
import { isolatedTopics } from '../helpers/kafka';
import { frame } from '../helpers/frames';

async function metricValue(port: number, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('worker entry convention', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  beforeAll(async () => {
    t = await isolatedTopics('worker', 2);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('serves /metrics on its own port, and on SIGTERM stops consuming, commits and exits 0', async () => {
    const group = `echo-${randomBytes(4).toString('hex')}`;
    const producer = createProducer(t.kafka);
    await producer.connect();
    await producer.send({
      topic: t.name(TOPICS.telemetry),
      messages: Array.from({ length: 12 }, (_, i) => ({
        key: `run:v${i % 3}`,
        value: JSON.stringify(frame({ seq: i, vehicleId: `v${i % 3}` })),
      })),
    });
    await producer.disconnect();

    const { child, port: reported, exited } = startEchoWorker({ ECHO_GROUP: group, ECHO_PREFIX: t.prefix });
    const port = await reported;

    const deadline = Date.now() + 30_000;
    let consumed = 0;
    while (Date.now() < deadline && consumed < 12) {
      consumed = await metricValue(port, /^drivelab_kafka_messages_in_total\{.*topic="dl\.telemetry"/);
      if (consumed < 12) await new Promise((r) => setTimeout(r, 250));
    }
    expect(consumed).toBe(12);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const admin = t.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [t.name(TOPICS.telemetry)] });
    await admin.disconnect();
    const committed = offsets[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(12);
  });
});
