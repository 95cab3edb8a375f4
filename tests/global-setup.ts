import { createKafka, ensureTopics } from '~/server/kafka/client';

/**
 * Makes sure the shared test topics exist when vitest runs without `npm test` around it.
 * Unit tests need no broker, so a missing one is only a warning here; integration tests then
 * fail with their own connection errors.
 */
export default async function setup(): Promise<void> {
  const kafka = createKafka({ clientId: 'vitest-setup', retries: 0, connectionTimeout: 1500 });
  try {
    await ensureTopics(kafka, { prefix: process.env.KAFKA_TOPIC_PREFIX || 'test.' });
  } catch (err) {
    console.warn(
      `[vitest] Kafka not reachable (${(err as Error).message}); integration tests will fail. Run \`npm run stack:up\`.`,
    );
  }
}
