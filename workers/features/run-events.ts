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
 */
export class RunEventsSource {
  private readonly consumer: Consumer;

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
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const decoded = decodeMessage(simEventSchema, message.value);
        // The web's run-events consumer owns the DLQ for dl.events; here a bad event is only skipped.
        if (!decoded.ok) return;
        const e = decoded.value;
        if (e.type === 'run_started')
          await serial(() => stage.runEvent({ type: e.type, runId: e.runId, orgId: e.orgId, rateHz: e.data.rateHz }));
        else if (e.type === 'run_finished')
          await serial(() => stage.runEvent({ type: e.type, runId: e.runId, orgId: e.orgId, t: e.t }));
      },
    });
    // Start back in time so that a restarted copy learns how the runs it replays ended.
    const since = await this.admin.fetchTopicOffsetsByTimestamp(this.topic, Date.now() - lookbackMs);
    for (const s of since) this.consumer.seek({ topic: this.topic, partition: s.partition, offset: s.offset });
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}
