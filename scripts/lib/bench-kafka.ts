import { randomBytes } from 'node:crypto';
import { createKafka, createProducer, ensureTopics, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { kafkaRunPublisher } from '~/workers/sim/kafka-publisher';
import type { RunPublisher } from '~/workers/sim/run-manager';

/**
 * A sink for benches that drive the sim worker's RunManager through Kafka: fresh topics under a
 * random prefix on the running broker (so a bench never reads or pollutes real ones), the
 * worker's own publisher into them, a frame count, and `done` once the run leaves 'running'.
 */
export interface BenchRunSink {
  publisher: RunPublisher;
  frames: () => number;
  done: Promise<void>;
  /** Disconnects and deletes the bench's topics. */
  close: () => Promise<void>;
}

/** The sink, or why the broker could not be used (the bench reports it instead of a figure). */
export async function benchRunSink(clientId: string, prefixStem: string): Promise<BenchRunSink | { error: string }> {
  const prefix = `${prefixStem}-${randomBytes(3).toString('hex')}.`;
  const kafka = createKafka({ clientId, retries: 2 });
  try {
    await ensureTopics(kafka, { prefix, partitions: 6 });
  } catch (err) {
    return { error: `Kafka not reachable (${(err as Error).message}); run npm run stack:up` };
  }
  const producer = createProducer(kafka);
  await producer.connect();
  const inner = kafkaRunPublisher(producer, prefix);
  let frames = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  return {
    publisher: {
      async publish(batch) {
        frames += batch.frames.length;
        await inner.publish(batch);
        if (batch.status && batch.status.state !== 'running') finished();
      },
    },
    frames: () => frames,
    done,
    close: async () => {
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
