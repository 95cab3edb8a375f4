import type { Pool } from 'pg';
import type { Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { DlqReason } from '~/server/contracts/dlq';
import { featuresKey, type FeaturesMessage } from '~/server/contracts/features';
import type { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { buildDlqMessage, encodeMessage, type RawMessageRef } from '~/server/kafka/messages';
import { TOPICS } from '~/server/kafka/topics';
import { metrics } from '~/server/observability/metrics';
import { latestPerVehicle, writeOnlineFeatures } from '~/server/store/online-features';
import { buildUpsertStatements } from './offline-sql';
import { featureMetrics as fm } from './worker-metrics';

/** The sink chains of the features stage, in the coordinator's order. */
export const FEATURE_SINKS = ['features', 'online', 'offline', 'dlq'] as const;

export interface PendingDlq {
  raw: RawMessageRef;
  reason: DlqReason;
  error: string;
  orgId?: string;
}

export interface FeatureSinksOptions {
  producer: Producer;
  redis: Redis;
  pool: Pool;
  featuresTopic: string;
  dlqTopic: string;
  groupId: string;
  onlineTtlS: number;
  upsertRows: number;
  onProduced?: (latenciesMs: number[]) => void;
  /** Called with the number of messages sent to dl.dlq. */
}

const SEND_CHUNK = 500;

/**
 * What the window stage emitted and rejected, buffered between flushes, and how each sink writes
 * it: dl.features, the online store (Redis), the offline store (Postgres upserts) and dl.dlq.
 */
export class FeatureSinks {
  private windows: FeaturesMessage[] = [];
  private rejected: PendingDlq[] = [];
  /** Messages written to dl.dlq. */
  dlqSent = 0;

  constructor(
    private readonly coordinator: CommitCoordinator,
    private readonly o: FeatureSinksOptions,
  ) {}

  emit(m: FeaturesMessage): void {
    this.windows.push(m);
  }

  reject(r: PendingDlq): void {
    this.rejected.push(r);
  }

  /** Hands what was buffered to the sinks; each sink writes its batches in order. */
  flush(): void {
    const o = this.o;
    if (this.windows.length > 0) {
      const windows = this.windows;
      this.windows = [];
      this.coordinator.sink('features').push(async () => {
        // Built by the operator to the contract (the unit tests parse its output with the schema);
        // a non-finite value would still stop the offline sink (float8ArrayLiteral).
        const messages = windows.map((m) => ({ key: featuresKey(m), value: encodeMessage(m) }));
        // Chunks keep each request under the broker's message.max.bytes (1 MB by default).
        for (let i = 0; i < messages.length; i += SEND_CHUNK)
          await o.producer.send({ topic: o.featuresTopic, messages: messages.slice(i, i + SEND_CHUNK) });
        const now = Date.now();
        const lat = windows.map((m) => now - m.emittedAt);
        for (const l of lat) fm.emitToProduceSeconds.observe(l / 1000);
        metrics.kafkaMessagesOut.inc({ topic: TOPICS.features }, windows.length);
        o.onProduced?.(lat);
      });
      this.coordinator.sink('online').push(() => writeOnlineFeatures(o.redis, latestPerVehicle(windows), o.onlineTtlS));
      this.coordinator.sink('offline').push(async () => {
        for (const s of buildUpsertStatements(windows, o.upsertRows)) await o.pool.query(s.text, s.values);
      });
    }
    if (this.rejected.length > 0) {
      const rejected = this.rejected;
      this.rejected = [];
      this.coordinator.sink('dlq').push(async () => {
        const now = new Date();
        const messages = rejected.map((r) => ({
          key: r.raw.topic,
          value: encodeMessage(
            buildDlqMessage(r.raw, { reason: r.reason, error: r.error, consumerGroup: o.groupId, orgId: r.orgId }, now),
          ),
        }));
        for (let i = 0; i < messages.length; i += SEND_CHUNK)
          await o.producer.send({ topic: o.dlqTopic, messages: messages.slice(i, i + SEND_CHUNK) });
        for (const r of rejected) metrics.kafkaRejected.inc({ topic: TOPICS.telemetry, reason: r.reason });
        this.dlqSent += rejected.length;
      });
    }
  }
}
