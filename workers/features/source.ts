import type { Admin, Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { DlqReason } from '~/server/contracts/dlq';
import { childLogger } from '~/server/observability/logger';
import type { DecodedBatch } from './decode-batch';
import { DecodePool } from './decode-pool';
import { STRIDE, type FrameRecord } from './frame-row';
import { PartitionHandover, type CommittedPosition } from './handover';
import { PartitionAligner, type AlignedItem } from './partition-aligner';
import { featureMetrics as fm } from './worker-metrics';

const log = childLogger('features');

/** A telemetry message waiting in the aligner: decoded, or why it could not be. */
export interface Held {
  m: KafkaMessage;
  offset: number;
  frame: FrameRecord | null;
  reason?: DlqReason;
  error?: string;
}

export interface TelemetrySourceOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  alignSlackMs: number;
  decodeThreads: number;
  prefetchBatches: number;
  /** Runs a step after every step queued before it (everything that touches the operator). */
  serial: <T>(fn: () => Promise<T> | T) => Promise<T>;
  /** After (re)joining the group: the new assignment and its commits, before any batch. */
  onAssigned: (revoked: number[], partitions: number[], committed: CommittedPosition[]) => void;
  /** Messages were added to the aligner (inside a serial step). */
  onReceived: (nowMs: number) => Promise<void>;
  /** Reading stops while this is true (stopping, or a sink failed for good). */
  halted: () => boolean;
  onError: (err: unknown) => void;
}

/**
 * The source of the features stage (../shared/DESIGN.md: a Kafka worker reads like a Flink job):
 * consumes dl.telemetry, decodes batches (on decode threads when there are), aligns partitions
 * by produce time (partition-aligner.ts), and after every (re)join resumes each assigned
 * partition from its commit, as kafkajs does.
 */
export class TelemetrySource {
  readonly handover: PartitionHandover;
  readonly aligner: PartitionAligner<Held>;
  readonly consumer: Consumer;
  readonly admin: Admin;
  private readonly decoder: DecodePool;
  private restoring: Promise<void> = Promise.resolve();

  constructor(private readonly o: TelemetrySourceOptions) {
    this.handover = new PartitionHandover(o.topic);
    this.aligner = new PartitionAligner<Held>(o.alignSlackMs);
    this.admin = o.kafka.admin();
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      allowAutoTopicCreation: false,
      // Large fetches: the per-batch costs (sink round trips) are then shared by many frames.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 200,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(o.sessionTimeoutMs / 3)),
    });
    this.decoder = new DecodePool(o.decodeThreads);
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[o.topic] ?? [];
      this.restoring = o.serial(() => this.restoreAssignment(partitions)).catch((err: unknown) => o.onError(err));
    });
  }

  get decodeThreads(): number {
    return this.decoder.threads;
  }

  async connect(): Promise<void> {
    await Promise.all([this.admin.connect(), this.consumer.connect()]);
    await this.consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
  }

  async run(): Promise<void> {
    const ahead: Promise<unknown>[] = [];
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's payload functions are closures
      eachBatch: async ({ batch, isStale, heartbeat }) => {
        await this.restoring;
        if (this.o.halted() || isStale()) return;
        // kafkajs fetches again only when every batch it handed over has returned. So a batch is
        // decoded (on a decode thread when there is one) and queued for windowing, and kafkajs
        // fetches the next ones meanwhile, up to prefetchBatches ahead. Offsets are committed
        // from what the operator has seen, never from what kafkajs fetched, so nothing queued
        // here is ever skipped; a step that fails stops all commits and the restart replays.
        const decoded = this.decoder.decode(batch.messages.map((m) => m.value));
        const step = this.o
          .serial(async () => {
            const d = await decoded;
            if (this.o.halted() || isStale()) return;
            const nowMs = Date.now();
            this.receive(batch, d, nowMs);
            await this.o.onReceived(nowMs);
          })
          .catch((err: unknown) => this.o.onError(err));
        ahead.push(step);
        while (ahead.length > this.o.prefetchBatches) await ahead.shift();
        await heartbeat();
      },
    });
  }

  /** Hands a decoded batch to the aligner; the operator sees it once released. */
  private receive(batch: Batch, decoded: DecodedBatch, nowMs: number): void {
    const p = batch.partition;
    // Decoded while the group moved on: the partition's new owner reads it from the commit.
    if (!this.handover.owns(p)) return;
    const next = this.handover.nextOffset(p);
    const items: AlignedItem<Held>[] = [];
    const { data, idOf, ids } = decoded;
    const errors = new Map(decoded.errors.map((e) => [e.i, e]));
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const offset = Number(m.offset);
      // A batch retried by kafkajs after an error must not feed the operator twice.
      if (offset < next) continue;
      const ts = Number(m.timestamp);
      const id = idOf[i]!;
      if (id >= 0) {
        // The operator copies the row into its window; the batch's block is then garbage.
        const who = ids[id]!;
        const frame: FrameRecord = { orgId: who.orgId, runId: who.runId, vehicleId: who.vehicleId, data, row: i };
        items.push({ partition: p, ts, t: data[i * STRIDE]!, value: { m, offset, frame } });
      } else {
        const e = errors.get(i)!;
        items.push({
          partition: p,
          ts,
          t: -Infinity,
          value: { m, offset, frame: null, reason: e.reason, error: e.error },
        });
      }
    }
    fm.framesIn.inc(items.length);
    this.framesIn += items.length;
    if (batch.messages.length > 0) this.handover.advance(p, Number(batch.lastOffset()) + 1);
    const caughtUp = Number(batch.lastOffset()) + 1 >= Number(batch.highWatermark);
    this.aligner.add(p, items, caughtUp, nowMs);
    fm.consumerLag.set(
      { partition: String(p) },
      Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1),
    );
  }

  /** Messages read, valid or not. */
  framesIn = 0;

  /** Messages every owned partition has been read past (partition-aligner.ts); all: every held one. */
  release(all = false): AlignedItem<Held>[] {
    return this.aligner.release(all);
  }

  /** Partitions read to their end hold the others back no longer than now (partition-aligner.ts). */
  async refreshCaughtUp(): Promise<void> {
    if (this.handover.size === 0) return;
    const checkedAt = Date.now();
    const ends = await this.admin.fetchTopicOffsets(this.o.topic);
    for (const e of ends) {
      if (!this.handover.owns(e.partition)) continue;
      const position = this.handover.position(e.partition) ?? Number(e.low);
      if (position >= Number(e.high)) this.aligner.markCaughtUp(e.partition, checkedAt);
    }
  }

  /** Processing time: reports the decode threads, refreshes the caught-up partitions, releases what that frees. */
  async tick(): Promise<AlignedItem<Held>[]> {
    fm.decodeThreads.set(this.decodeThreads);
    await this.refreshCaughtUp();
    return this.release();
  }

  /** After every (re)join kafkajs resumes all assigned partitions from their commits: so do we. */
  private async restoreAssignment(partitions: number[]): Promise<void> {
    const revoked = this.handover.known();
    this.handover.assign(partitions);
    this.aligner.assign(partitions, Date.now());
    let committed: CommittedPosition[] = [];
    if (partitions.length > 0) {
      const [c] = await this.admin.fetchOffsets({ groupId: this.o.groupId, topics: [this.o.topic] });
      committed = (c?.partitions ?? []).filter((x) => this.handover.restore(x));
    }
    this.o.onAssigned(revoked, partitions, committed);
    if (partitions.length > 0) log.info({ partitions }, 'partitions restored from their commits');
  }

  /** Stops reading (the group membership stays until disconnect). */
  pause(): void {
    this.consumer.pause([{ topic: this.o.topic }]);
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  async closeDecoder(): Promise<void> {
    await this.decoder.close();
  }
}
