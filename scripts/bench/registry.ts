/**
 * Alias-move latency on the real stack: how long a promotion takes to commit (lock, gate, alias,
 * event, audit, then the dl.models send), and how long until a consumer of dl.models has the
 * message, i.e. until inference could start reloading. Prints one JSON object.
 *
 *   npx tsx scripts/bench/registry.ts          (BENCH_MOVES=100 to change the count)
 *
 * Uses DATABASE_URL and KAFKA_TOPIC_PREFIX; creates a throwaway org and removes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { modelDeploymentChangedSchema } from '~/server/contracts/models';
import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka, ensureTopics, topic } from '~/server/kafka/client';
import { decodeMessage } from '~/server/kafka/messages';
import { disconnectSharedProducer } from '~/server/kafka/producer';
import { TOPICS } from '~/server/kafka/topics';
import { moveAlias } from '~/server/models/aliases';
import { registerDemoVersion } from '../demo-model';

const MOVES = Number(process.env.BENCH_MOVES ?? 60);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2));
}

const tag = randomBytes(4).toString('hex');
const org = await db.organization.create({ data: { name: `Bench ${tag}`, slug: `bench-registry-${tag}` } });
const kafka = createKafka({ clientId: 'bench-registry' });
await ensureTopics(kafka);
const consumer = kafka.consumer({ groupId: `bench-registry-${tag}` });
try {
  const v1 = (await registerDemoVersion(db, { orgId: org.id, modelName: 'bench', epochs: 2 })).version;
  const v2 = (await registerDemoVersion(db, { orgId: org.id, modelName: 'bench', epochs: 4 })).version;
  const received = new Map<number, number>();
  await consumer.connect();
  await consumer.subscribe({ topic: topic(TOPICS.models), fromBeginning: false });
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const d = decodeMessage(modelDeploymentChangedSchema, message.value);
      if (d.ok && d.value.orgId === org.id) received.set(received.size, performance.now());
    },
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the GROUP_JOIN listener sets it
  while (!assigned) await new Promise((r) => setTimeout(r, 50));

  const who = { orgId: org.id, actor: { label: 'bench' }, ip: null };
  // Warm the producer and the connection pool; not measured.
  // The new group starts at the log end once it has its partition: move until a message arrives.
  for (let i = 0; received.size === 0; i++) {
    if (i === 50) throw new Error('no dl.models message reached the consumer');
    await moveAlias(db, who, {
      action: 'promote',
      modelId: v1.modelId,
      alias: 'warmup',
      versionId: i % 2 === 0 ? v1.id : v2.id,
    });
    await new Promise((r) => setTimeout(r, 200));
  }
  received.clear();

  const started: number[] = [];
  const committed: number[] = [];
  for (let i = 0; i < MOVES; i++) {
    const t0 = performance.now();
    started.push(t0);
    await moveAlias(db, who, {
      action: 'promote',
      modelId: v1.modelId,
      alias: 'production',
      versionId: i % 2 === 0 ? v2.id : v1.id,
      gate: { metric: 'roc_auc', min: 0 },
    });
    committed.push(performance.now() - t0);
    // One move at a time, so each delivery time belongs to one move.
    const deadline = performance.now() + 10_000;
    while (received.size < i + 1 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  }
  const delivered = started
    .map((t, i) => (received.has(i) ? received.get(i)! - t : Number.NaN))
    .filter(Number.isFinite);
  console.log(
    JSON.stringify({
      bench: 'registry',
      moves: MOVES,
      delivered: delivered.length,
      moveCommitAndSendMs: { p50: pct(committed, 50), p95: pct(committed, 95), max: pct(committed, 100) },
      moveToConsumerMs: { p50: pct(delivered, 50), p95: pct(delivered, 95), max: pct(delivered, 100) },
      topic: topic(TOPICS.models, env.KAFKA_TOPIC_PREFIX),
      cpus: os.cpus().length,
      node: process.version,
    }),
  );
} finally {
  await consumer.disconnect().catch(() => undefined);
  await disconnectSharedProducer();
  await db.registeredModel.deleteMany({ where: { orgId: org.id } });
  await db.modelAliasEvent.deleteMany({ where: { orgId: org.id } });
  await db.organization.delete({ where: { id: org.id } });
  await db.$disconnect();
}
