import type { Producer } from 'kafkajs';
import { simEventSchema } from '~/server/contracts/events';
import { runStatusSchema } from '~/server/contracts/run-status';
import { telemetryKey } from '~/server/contracts/telemetry';
import { topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { metrics } from '~/server/observability/metrics';
import type { RunPublisher } from './run-manager';

/**
 * Publishes a batch of a run in one Kafka request. Frames come from the engine, whose output is
 * contract-tested frame by frame, so they are not re-validated on this hot path; events and
 * status are few and are validated.
 */
export function kafkaRunPublisher(producer: Producer, prefix?: string): RunPublisher {
  const telemetryTopic = topic(TOPICS.telemetry, prefix);
  const eventsTopic = topic(TOPICS.events, prefix);
  const statusTopic = topic(TOPICS.runStatus, prefix);
  return {
    async publish({ frames, events, status }) {
      const topicMessages = [];
      if (frames.length) topicMessages.push({ topic: telemetryTopic, messages: frames.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) })) });
      if (events.length) topicMessages.push({ topic: eventsTopic, messages: events.map((e) => ({ key: e.runId, value: JSON.stringify(simEventSchema.parse(e)) })) });
      if (status) topicMessages.push({ topic: statusTopic, messages: [{ key: status.runId, value: JSON.stringify(runStatusSchema.parse(status)) }] });
      if (topicMessages.length === 0) return;
      await producer.sendBatch({ topicMessages });
      if (frames.length) metrics.kafkaMessagesOut.inc({ topic: TOPICS.telemetry }, frames.length);
      if (events.length) metrics.kafkaMessagesOut.inc({ topic: TOPICS.events }, events.length);
      if (status) metrics.kafkaMessagesOut.inc({ topic: TOPICS.runStatus });
    },
  };
}
