import type { Producer, TopicMessages } from 'kafkajs';
import { simEventSchema } from '~/server/contracts/events';
import { runStatusSchema } from '~/server/contracts/run-status';
import { telemetryKey } from '~/server/contracts/telemetry';
import { topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { metrics } from '~/server/observability/metrics';
import type { RunPublisher } from './run-manager';

/** Under the broker's default message.max.bytes (1,048,588), with room for batch headers. */
export const MAX_REQUEST_BYTES = 768 * 1024;

/** How long a batch keeps being retried while the broker is unreachable before the run fails. */
export const PUBLISH_OUTAGE_MS = 120_000;

/**
 * kafkajs gives up after its own retries (~10 s with our client settings), which is shorter than
 * a broker restart; failing the run then loses it although the broker is back moments later (the
 * broker-restart chaos test, issue 18). The simulator holds the batch and retries it, with a
 * capped backoff, until the outage lasts longer than outageMs. Only a batch whose send failed is
 * sent again; like kafkajs' own retries this is at-least-once (a request that timed out after the
 * broker wrote it arrives twice; the recorder and the offline store key frames and windows).
 */
export async function sendThroughOutage(
  send: () => Promise<unknown>,
  options: {
    outageMs?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
    onRetry?: (err: unknown) => void;
  } = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (options.outageMs ?? PUBLISH_OUTAGE_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      if (now() >= deadline) throw err;
      options.onRetry?.(err);
      await sleep(Math.min(5000, 250 * 2 ** attempt));
    }
  }
}

/**
 * Publishes a batch of a run in one Kafka request. Frames come from the engine, whose output is
 * contract-tested frame by frame, so they are not re-validated on this hot path; events and
 * status are few and are validated.
 */
export function kafkaRunPublisher(producer: Producer, prefix?: string, onRetry?: (err: unknown) => void): RunPublisher {
  const telemetryTopic = topic(TOPICS.telemetry, prefix);
  const eventsTopic = topic(TOPICS.events, prefix);
  const statusTopic = topic(TOPICS.runStatus, prefix);
  return {
    async publish({ frames, events, status }) {
      const telemetry = frames.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) }));
      // Kafka refuses a record batch over message.max.bytes (1 MB by default), and all of one
      // request's messages for a partition form one batch: a second of 200 vehicles at 50 Hz is
      // ~9 MB. Chunks go one after another, so each partition keeps the frames' order.
      let from = 0;
      let bytes = 0;
      for (let i = 0; i < telemetry.length; i++) {
        bytes += telemetry[i]!.value.length + telemetry[i]!.key.length + 64;
        if (bytes > MAX_REQUEST_BYTES && i > from) {
          const messages = telemetry.slice(from, i);
          await sendThroughOutage(() => producer.sendBatch({ topicMessages: [{ topic: telemetryTopic, messages }] }), {
            onRetry,
          });
          from = i;
          bytes = telemetry[i]!.value.length + telemetry[i]!.key.length + 64;
        }
      }
      const topicMessages: TopicMessages[] = [];
      if (from < telemetry.length) topicMessages.push({ topic: telemetryTopic, messages: telemetry.slice(from) });
      if (events.length)
        topicMessages.push({
          topic: eventsTopic,
          messages: events.map((e) => ({ key: e.runId, value: JSON.stringify(simEventSchema.parse(e)) })),
        });
      if (status)
        topicMessages.push({
          topic: statusTopic,
          messages: [{ key: status.runId, value: JSON.stringify(runStatusSchema.parse(status)) }],
        });
      if (topicMessages.length > 0) await sendThroughOutage(() => producer.sendBatch({ topicMessages }), { onRetry });
      if (frames.length) metrics.kafkaMessagesOut.inc({ topic: TOPICS.telemetry }, frames.length);
      if (events.length) metrics.kafkaMessagesOut.inc({ topic: TOPICS.events }, events.length);
      if (status) metrics.kafkaMessagesOut.inc({ topic: TOPICS.runStatus });
    },
  };
}
