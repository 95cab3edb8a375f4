import type { Consumer, Kafka, Producer, IHeaders } from 'kafkajs';
import type { z } from 'zod';
import { dlqMessageSchema, type DlqReason } from '../contracts/dlq';
import { childLogger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { createProducer, topic } from './client';
import { buildDlqMessage, decodeMessage, encodeMessage, rawMessageRef, type RawMessageRef } from './messages';
import { TOPICS, type TopicName } from './topics';

const log = childLogger('kafka');

/**
 * Thrown by a handler to refuse one message for good (wrong tenant, unknown run …): it goes to
 * the DLQ with this reason instead of being retried.
 */
export class RejectMessage extends Error {
  constructor(
    readonly reason: DlqReason,
    message: string,
    readonly orgId?: string,
  ) {
    super(message);
    this.name = 'RejectMessage';
  }
}

/** A producer bound to one topic and one schema: an invalid outgoing message is a bug, so it throws. */
export interface TypedProducer<T> {
  send(messages: { key: string; value: T; headers?: IHeaders }[]): Promise<void>;
  topic: string;
}

export function typedProducer<S extends z.ZodType>(
  producer: Producer,
  name: TopicName,
  schema: S,
  options: { prefix?: string } = {},
): TypedProducer<z.infer<S>> {
  const fullTopic = topic(name, options.prefix);
  return {
    topic: fullTopic,
    async send(messages) {
      const encoded = messages.map((m) => ({
        key: m.key,
        value: encodeMessage(schema.parse(m.value)),
        headers: m.headers,
      }));
      await producer.send({ topic: fullTopic, messages: encoded });
      metrics.kafkaMessagesOut.inc({ topic: name }, messages.length);
    },
  };
}

export async function sendToDlq(
  producer: Producer,
  raw: RawMessageRef,
  rejection: { reason: DlqReason; error: string; consumerGroup: string; orgId?: string },
  options: { prefix?: string; sourceTopicName?: string } = {},
): Promise<void> {
  const message = dlqMessageSchema.parse(buildDlqMessage(raw, rejection));
  await producer.send({
    topic: topic(TOPICS.dlq, options.prefix),
    messages: [{ key: raw.topic, value: encodeMessage(message) }],
  });
  metrics.kafkaRejected.inc({ topic: options.sourceTopicName ?? raw.topic, reason: rejection.reason });
}

export interface ValidatedConsumerOptions<S extends z.ZodType> {
  kafka: Kafka;
  groupId: string;
  topic: TopicName;
  schema: S;
  prefix?: string;
  fromBeginning?: boolean;
  /** Handles one valid message. Throwing RejectMessage sends it to the DLQ; other errors retry. */
  handle: (value: z.infer<S>, raw: RawMessageRef) => Promise<void>;
}

export interface RunningConsumer {
  consumer: Consumer;
  dlqProducer: Producer;
  stop(): Promise<void>;
}

/**
 * Consumes one topic, validating every message with its contract. Bad input goes to the DLQ
 * with the reason and is counted; the partition keeps flowing and nothing is lost.
 */
export async function runValidatedConsumer<S extends z.ZodType>(
  options: ValidatedConsumerOptions<S>,
): Promise<RunningConsumer> {
  const fullTopic = topic(options.topic, options.prefix);
  const consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  const dlqProducer = createProducer(options.kafka);
  await Promise.all([consumer.connect(), dlqProducer.connect()]);
  await consumer.subscribe({ topic: fullTopic, fromBeginning: options.fromBeginning ?? false });
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      const raw = rawMessageRef(t, partition, message);
      // A message that cannot be used is logged and parked on the DLQ with why: the partition
      // keeps flowing and nothing is lost.
      const reject = async (why: { reason: DlqReason; error: string; orgId?: string }, logMessage: string) => {
        log.warn({ topic: t, partition, offset: message.offset, reason: why.reason, error: why.error }, logMessage);
        await sendToDlq(
          dlqProducer,
          raw,
          { ...why, consumerGroup: options.groupId },
          { prefix: options.prefix, sourceTopicName: options.topic },
        );
      };
      const decoded = decodeMessage(options.schema, message.value);
      if (!decoded.ok) {
        await reject({ reason: decoded.reason, error: decoded.error }, 'message rejected');
        return;
      }
      try {
        await options.handle(decoded.value, raw);
        metrics.kafkaMessagesIn.inc({ topic: options.topic });
      } catch (err) {
        if (!(err instanceof RejectMessage)) throw err;
        await reject({ reason: err.reason, error: err.message, orgId: err.orgId }, 'message rejected by handler');
      }
    },
  });
  return {
    consumer,
    dlqProducer,
    async stop() {
      // Stop fetching first so the last offsets are committed, then flush the DLQ producer.
      await consumer.disconnect();
      await dlqProducer.disconnect();
    },
  };
}
