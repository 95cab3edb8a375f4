import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqMessageSchema, type DlqMessage } from '~/server/contracts/dlq';
import { telemetryFrameSchema, telemetryKey, type TelemetryFrame } from '~/server/contracts/telemetry';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { RejectMessage, runValidatedConsumer, typedProducer, type RunningConsumer } from '~/server/kafka/typed';
import { collect, isolatedTopics } from '../helpers/kafka';
import { frame } from '../helpers/frames';
import { simulateRun } from '../helpers/pipeline';
import { kafkaRunPublisher } from '~/workers/sim/kafka-publisher';

describe('Kafka on the real broker', () => {
  let t: Awaited<ReturnType<typeof isolatedTopics>>;
  beforeAll(async () => {
    t = await isolatedTopics('kafka');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('round-trips typed telemetry frames through produce and a validated consumer', async () => {
    const producer = createProducer(t.kafka);
    await producer.connect();
    const out = typedProducer(producer, TOPICS.telemetry, telemetryFrameSchema, { prefix: t.prefix });
    const runId = `run_${randomBytes(4).toString('hex')}`;
    const frames = Array.from({ length: 20 }, (_, i) => frame({ runId, vehicleId: `v${i % 4}`, seq: i, t: i * 0.05 }));
    await out.send(frames.map((f) => ({ key: telemetryKey(f), value: f })));

    const received: TelemetryFrame[] = [];
    let consumer: RunningConsumer | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of 20 frames arrived`)), 30_000);
      void runValidatedConsumer({
        kafka: t.kafka,
        groupId: `g-${runId}`,
        topic: TOPICS.telemetry,
        schema: telemetryFrameSchema,
        prefix: t.prefix,
        fromBeginning: true,
        handle: async (f) => {
          received.push(f);
          if (received.length === 20) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).then((c) => (consumer = c), reject);
    });
    await consumer?.stop();
    await producer.disconnect();

    expect(received.map((f) => f.seq).sort((a, b) => a - b)).toEqual(frames.map((f) => f.seq));
    // Per-vehicle order survives partitioning because the key is runId:vehicleId.
    for (const v of ['v0', 'v1', 'v2', 'v3']) {
      const seqs = received.filter((f) => f.vehicleId === v).map((f) => f.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(received[0]).toEqual(frames.find((f) => f.seq === received[0]!.seq));
  });

  it('sends invalid messages to dl.dlq with the reason and keeps consuming valid ones', async () => {
    const producer = createProducer(t.kafka);
    await producer.connect();
    const runId = `run_${randomBytes(4).toString('hex')}`;
    const telemetryTopic = t.name(TOPICS.telemetry);
    const good = (seq: number) => JSON.stringify(frame({ runId, seq, t: seq * 0.1 }));
    await producer.send({
      topic: telemetryTopic,
      messages: [
        { key: `${runId}:ego`, value: good(0) },
        { key: `${runId}:ego`, value: '{"not json' },
        { key: `${runId}:ego`, value: JSON.stringify({ ...frame({ runId }), speed: 'very fast' }) },
        { key: `${runId}:ego`, value: good(1) },
        { key: `${runId}:ego`, value: JSON.stringify(frame({ runId, orgId: 'org_other', seq: 2 })) },
        { key: `${runId}:ego`, value: good(3) },
      ],
    });

    const accepted: number[] = [];
    const consumer = await runValidatedConsumer({
      kafka: t.kafka,
      groupId: `dlq-${runId}`,
      topic: TOPICS.telemetry,
      schema: telemetryFrameSchema,
      prefix: t.prefix,
      fromBeginning: true,
      handle: async (f) => {
        if (f.runId !== runId) return;
        // A message of a run outside its org is refused for good, as the tenancy rules require.
        if (f.orgId !== 'org_test')
          throw new RejectMessage('tenant', `run ${f.runId} is not in org ${f.orgId}`, f.orgId);
        accepted.push(f.seq);
      },
    });

    const dlq = await collect<DlqMessage>(
      t.kafka,
      t.name(TOPICS.dlq),
      (value) => {
        const m = dlqMessageSchema.parse(JSON.parse(value!.toString()));
        return m.key === `${runId}:ego` ? m : undefined;
      },
      (items) => items.length >= 3,
    );
    await consumer.stop();
    await producer.disconnect();

    expect(dlq.map((m) => m.reason).sort()).toEqual(['parse', 'tenant', 'validation']);
    const parse = dlq.find((m) => m.reason === 'parse')!;
    expect(Buffer.from(parse.valueBase64!, 'base64').toString()).toBe('{"not json');
    expect(parse.sourceTopic).toBe(telemetryTopic);
    expect(dlq.find((m) => m.reason === 'validation')!.error).toContain('speed');
    expect(dlq.find((m) => m.reason === 'tenant')!.orgId).toBe('org_other');
    expect(accepted.sort()).toEqual([0, 1, 3]);
  });

  it("the simulator's publisher splits a batch larger than the broker's 1 MB limit and keeps every vehicle's order", async () => {
    const runId = `run_${randomBytes(4).toString('hex')}`;
    // 8 vehicles × 20 Hz × 25 s: one publish of ~3.5 MB, as a fast-forward run with heavy traffic makes.
    const { frames } = simulateRun('org_big', runId, { vehicles: 8, durationS: 25 });
    const bytes = frames.reduce((n, f) => n + JSON.stringify(f).length, 0);
    expect(bytes).toBeGreaterThan(3 * 1024 * 1024);
    const producer = createProducer(t.kafka);
    await producer.connect();
    await kafkaRunPublisher(producer, t.prefix).publish({ frames, events: [] });
    await producer.disconnect();
    const got = await collect(
      t.kafka,
      t.name(TOPICS.telemetry),
      (v) => {
        // The topic also holds the invalid messages of the DLQ test above (collect skips them).
        const f = telemetryFrameSchema.parse(JSON.parse(v!.toString()));
        return f.runId === runId ? f : undefined;
      },
      (items) => items.length >= frames.length,
      30_000,
    );
    const mine = got;
    expect(mine).toHaveLength(frames.length);
    const seqs = new Map<string, number[]>();
    for (const f of mine) seqs.set(f.vehicleId, [...(seqs.get(f.vehicleId) ?? []), f.seq]);
    expect(seqs.size).toBe(8);
    for (const s of seqs.values()) expect(s).toEqual([...s].sort((a, b) => a - b));
  });
});
