import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka, ensureTopics, topic } from '~/server/kafka/client';
import { TOPICS, type TopicName } from '~/server/kafka/topics';

/**
 * Each test file gets its own topic prefix on the real broker, so files never read each other's
 * messages and can consume from the beginning; the topics are deleted afterwards.
 */
export async function isolatedTopics(
  label: string,
  partitions = 2,
): Promise<{ kafka: Kafka; prefix: string; name: (t: TopicName) => string; cleanup: () => Promise<void> }> {
  const base = process.env.KAFKA_TOPIC_PREFIX ?? 'test.';
  const prefix = `${base}${label}-${randomBytes(4).toString('hex')}.`;
  const kafka = createKafka({ clientId: `test-${label}` });
  await ensureTopics(kafka, { prefix, partitions, overrides: '' });
  return {
    kafka,
    prefix,
    name: (t) => topic(t, prefix),
    cleanup: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) });
      } finally {
        await admin.disconnect();
      }
    },
  };
}

/**
 * Reads every message of a topic from the beginning until `done` says so or the time runs out.
 * A message `map` throws on (another test's deliberately invalid input) is skipped: a throw inside
 * eachMessage would stall the collector's consumer on that offset.
 */
export async function collect<T>(
  kafka: Kafka,
  fullTopic: string,
  map: (value: Buffer | null, key: string | null) => T | undefined,
  done: (items: T[]) => boolean,
  timeoutMs = 30_000,
): Promise<T[]> {
  const consumer = kafka.consumer({ groupId: `collector-${randomBytes(6).toString('hex')}` });
  const items: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: fullTopic, fromBeginning: true });
  let resolveDone: () => void = () => undefined;
  const finished = new Promise<void>((r) => (resolveDone = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      let item: T | undefined;
      try {
        item = map(message.value, message.key?.toString() ?? null);
      } catch {
        return;
      }
      if (item !== undefined) items.push(item);
      if (done(items)) resolveDone();
    },
  });
  const timer = new Promise<void>((r) => setTimeout(r, timeoutMs));
  await Promise.race([finished, timer]);
  await consumer.disconnect();
  return items;
}
