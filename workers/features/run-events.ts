import { hostname } from 'node:os';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { simEventSchema } from '~/server/contracts/events';
import { decodeMessage } from '~/server/kafka/messages';
import type { WindowStage } from './window-stage';

/**
 * dl.events, read by a second consumer in a group of its own per copy: a run's events sit on one
 * partition while its vehicles' frames are spread over all of them, so every copy needs every
 * run's lifecycle. It starts lookbackMs back so that a restarted copy sees the run_finished of
 * the runs it replays.
 *
 * The group commits nothing (it is this process's alone), so the position is kept here: when
 * kafkajs restarts the consumer after a crash (a broker restart does that), the new member would
 * otherwise start at the latest offset and silently skip every event produced while it was
 * away, among them the run_finished that closes a run's last windows (chaos test, issue 18).
 * Each join seeks every assigned partition to the next event not yet handled.
 */
export class RunEventsSource {
  private readonly consumer: Consumer;
  /** partition → offset of the next event to handle (the lookback start until one is handled). */
  private readonly next = new Map<number, string>();

  constructor(
    kafka: Kafka,
    groupId: string,
    private readonly topic: string,
    private readonly admin: Admin,
  ) {
    this.consumer = kafka.consumer({
      groupId: `${groupId}.events.${hostname()}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
    });
    // Emitted synchronously after join + sync and before the first fetch, which applies the seeks.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[this.topic] ?? []) {
        const offset = this.next.get(partition);
        if (offset !== undefined) this.consumer.seek({ topic: this.topic, partition, offset });
      }
    });
  }

  async connect(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
  }

  async run(
    stage: WindowStage,
    serial: <T>(fn: () => Promise<T> | T) => Promise<T>,
    lookbackMs: number,
  ): Promise<void> {
    // Start back in time so that a restarted copy learns how the runs it replays ended.
    const since = await this.admin.fetchTopicOffsetsByTimestamp(this.topic, Date.now() - lookbackMs);
    for (const s of since) this.next.set(s.partition, s.offset);
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const decoded = decodeMessage(simEventSchema, message.value);
        // The web's run-events consumer owns the DLQ for dl.events; here a bad event is only skipped.
        if (decoded.ok) {
          const e = decoded.value;
          if (e.type === 'run_started')
            await serial(() => stage.runEvent({ type: e.type, runId: e.runId, orgId: e.orgId, rateHz: e.data.rateHz }));
          else if (e.type === 'run_finished')
            await serial(() => stage.runEvent({ type: e.type, runId: e.runId, orgId: e.orgId, t: e.t }));
        }
        this.next.set(partition, (BigInt(message.offset) + 1n).toString());
      },
    });
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}
