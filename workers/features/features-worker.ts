import { hostname } from 'node:os';
import type { Admin, Batch, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { DlqReason } from '~/server/contracts/dlq';
import { simEventSchema } from '~/server/contracts/events';
import { featuresKey, type FeaturesMessage } from '~/server/contracts/features';
import { createProducer, topic } from '~/server/kafka/client';
import { buildDlqMessage, decodeMessage, encodeMessage, type RawMessageRef } from '~/server/kafka/messages';
import { CONSUMER_GROUPS, TOPICS } from '~/server/kafka/topics';
import { childLogger } from '~/server/observability/logger';
import { metrics } from '~/server/observability/metrics';
import { latestPerVehicle, writeOnlineFeatures } from '~/server/store/online-features';
import type { WindowOperatorConfig } from './config';
import type { DecodedBatch } from './decode-batch';
import { DecodePool } from './decode-pool';
import { STRIDE, type FrameRecord } from './frame-row';
import { buildUpsertStatements } from './offline-sql';
import { createWindowOperator, type OperatorOutput } from './operator';
import { PartitionAligner, type AlignedItem } from './partition-aligner';
import { highWaterOf, withHighWater } from './resume-marker';
import { RunFinishTracker } from './run-finish';
import { createRunRegistry, pgRunLookup, type RunRegistry } from './run-registry';
import { SinkChain } from './sink-chain';
import { featureMetrics as fm } from './worker-metrics';

/**
 * The features worker (../shared/DESIGN.md, "Streaming semantics"): dl.telemetry → window
 * operator → dl.features, Redis (online store) and Postgres (offline store).
 *
 * Exactly-once in effect: offsets are committed by hand, only as far as the operator allows (the
 * first frame of the oldest window still open) and only after every sink write of what was
 * emitted before has been acknowledged. After a crash or a rebalance kafkajs resumes every
 * assigned partition from its commit, the operator is restored from the commit metadata, and the
 * replay rebuilds the same windows, whose idempotent upserts change nothing.
 *
 * dl.events is read by a second consumer in a group of its own per copy: a run's events sit on one
 * partition while its vehicles' frames are spread over all of them, so every copy needs every
 * run's lifecycle. It starts eventsLookbackMs back so that a restarted copy sees the
 * run_finished of the runs it replays.
 */
export interface FeaturesWorkerOptions {
  kafka: Kafka;
  pool: Pool;
  redis: Redis;
  prefix?: string;
  groupId?: string;
  window?: Partial<WindowOperatorConfig>;
  /** TTL of the online store entries. */
  onlineTtlS?: number;
  /** Reject frames of runs with no Run row (default: accept, see run-registry.ts). */
  requireRun?: boolean;
  commitIntervalMs?: number;
  /** Consumer-group session timeout: how long a crashed copy's partitions wait before moving. */
  sessionTimeoutMs?: number;
  /** Processing-time tick: idle partitions, finished runs, periodic flush and commit. */
  tickMs?: number;
  finishGraceMs?: number;
  eventsLookbackMs?: number;
  /** See partition-aligner.ts. */
  alignSlackMs?: number;
  /** Upper bound of rows per INSERT statement. */
  upsertBatchRows?: number;
  /**
   * Threads that parse telemetry JSON while the main thread windows (decode-pool.ts). 0 parses
   * inline. Default 0; main.ts sets one per spare core.
   */
  decodeThreads?: number;
  /** Batches fetched and queued ahead of the one being windowed (default 8). */
  prefetchBatches?: number;
  /** Called with the window close → dl.features acknowledgement latencies (ms) of each send. */
  onProduced?: (latenciesMs: number[]) => void;
  /** Errors the worker cannot recover from in process (a sink that keeps failing). */
  onFatal?: (err: unknown) => void;
}

export interface FeaturesWorker {
  stop(): Promise<void>;
  ready(): boolean;
  stats(): FeaturesWorkerStats;
}

export interface FeaturesWorkerStats {
  framesIn: number;
  invalid: number;
  windowsOut: number;
  dlq: number;
  commits: number;
  lastCommitAt: number;
}

interface PendingDlq {
  raw: RawMessageRef;
  reason: DlqReason;
  error: string;
  orgId?: string;
}

const log = childLogger('features');
const SEND_CHUNK = 500;

/** A telemetry message waiting in the aligner: decoded, or why it could not be. */
interface Held {
  m: KafkaMessage;
  offset: number;
  frame: FrameRecord | null;
  reason?: DlqReason;
  error?: string;
}

async function withRetries<T>(fn: () => Promise<T>, attempts: number, firstDelayMs: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      log.warn({ err, attempt: i }, 'run lookup failed; retrying');
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** (i - 1)));
    }
  }
}

function rawOf(topicName: string, partition: number, m: KafkaMessage): RawMessageRef {
  return { topic: topicName, partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp };
}

export async function startFeaturesWorker(o: FeaturesWorkerOptions): Promise<FeaturesWorker> {
  const prefix = o.prefix;
  const groupId = o.groupId ?? CONSUMER_GROUPS.features;
  const telemetryTopic = topic(TOPICS.telemetry, prefix);
  const eventsTopic = topic(TOPICS.events, prefix);
  const featuresTopic = topic(TOPICS.features, prefix);
  const dlqTopic = topic(TOPICS.dlq, prefix);
  const commitIntervalMs = o.commitIntervalMs ?? 1000;
  const onlineTtlS = o.onlineTtlS ?? 3600;
  const upsertRows = o.upsertBatchRows ?? 2000;

  const op = createWindowOperator(o.window);
  const registry: RunRegistry = createRunRegistry(pgRunLookup(o.pool));
  const finishes = new RunFinishTracker(o.finishGraceMs ?? 10_000);
  const rates = new Map<string, number>();
  const aligner = new PartitionAligner<Held>(o.alignSlackMs ?? 250);

  const producer: Producer = createProducer(o.kafka);
  const admin: Admin = o.kafka.admin();
  const consumer: Consumer = o.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Large fetches: the per-batch costs (sink round trips) are then shared by many frames.
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 200,
    sessionTimeout: o.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3000, Math.floor((o.sessionTimeoutMs ?? 30_000) / 3)),
  });
  const eventsConsumer: Consumer = o.kafka.consumer({
    groupId: `${groupId}.events.${hostname()}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
  });

  const stats: FeaturesWorkerStats = { framesIn: 0, invalid: 0, windowsOut: 0, dlq: 0, commits: 0, lastCommitAt: 0 };
  let pendingWindows: FeaturesMessage[] = [];
  let pendingDlq: PendingDlq[] = [];
  let fatal: unknown = null;
  let stopping = false;
  let lastCommit = 0;
  let started = false;

  const fail = (err: unknown) => {
    if (fatal) return;
    fatal = err;
    log.error({ err }, 'sink failed for good; no further commits');
    o.onFatal?.(err);
  };
  const featuresSink = new SinkChain('features', fail);
  const onlineSink = new SinkChain('online', fail);
  const offlineSink = new SinkChain('offline', fail);
  const dlqSink = new SinkChain('dlq', fail);

  // Per telemetry partition: assignment, the next offset to ingest, and the previous owner's mark.
  let assigned = new Set<number>();
  const nextOffset = new Map<number, number>();
  const restoredHw = new Map<number, number>();

  // Everything that touches the operator runs one step at a time.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  }
  let restoring: Promise<void> = Promise.resolve();

  function takeOutput(out: OperatorOutput, triggerTs: number | null, nowMs: number, raw?: RawMessageRef): void {
    if (out.emitted.length > 0) {
      for (const m of out.emitted) {
        pendingWindows.push(m);
        fm.windowsOut.inc({ kind: m.kind });
        if (m.revision > 0) fm.lateFrames.inc({ outcome: 'updated' });
        if (triggerTs !== null) fm.frameToEmitSeconds.observe(Math.max(0, nowMs - triggerTs) / 1000);
      }
      stats.windowsOut += out.emitted.length;
    }
    for (const r of out.rejected) {
      if (r.reason === 'late') fm.lateFrames.inc({ outcome: 'rejected' });
      // Already sent by the owner that committed past it (see resume-marker.ts).
      if (r.offset < (restoredHw.get(r.partition) ?? -1)) continue;
      if (raw) pendingDlq.push({ raw, reason: r.reason, error: r.error, orgId: r.frame.orgId });
    }
  }

  function setRate(runId: string, hz: number): void {
    if (rates.get(runId) === hz) return;
    rates.set(runId, hz);
    op.setRunSensorRate(runId, hz);
  }

  /** Hands a decoded batch to the aligner; the operator sees it once released. */
  async function receiveTelemetry(batch: Batch, decoded: DecodedBatch): Promise<void> {
    const p = batch.partition;
    // Decoded while the group moved on: the partition's new owner reads it from the commit.
    if (!assigned.has(p)) return;
    const nowMs = Date.now();
    const next = nextOffset.get(p) ?? -1;
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
    stats.framesIn += items.length;
    if (batch.messages.length > 0) nextOffset.set(p, Math.max(next, Number(batch.lastOffset()) + 1));
    const caughtUp = Number(batch.lastOffset()) + 1 >= Number(batch.highWatermark);
    aligner.add(p, items, caughtUp, nowMs);
    fm.consumerLag.set(
      { partition: String(p) },
      Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1),
    );
    await processReleased(nowMs);
  }

  async function processReleased(nowMs: number, all = false): Promise<void> {
    const released = aligner.release(all);
    if (released.length === 0) return;
    const runIds = new Set<string>();
    for (const it of released) if (it.value.frame) runIds.add(it.value.frame.runId);
    if (runIds.size > 0) {
      // Released frames are in hand only here: a brief database outage is waited out rather than
      // stopping the worker (which would then replay from its last commit).
      await withRetries(() => registry.resolve(runIds), 5, 200);
      for (const runId of runIds) {
        const info = registry.get(runId);
        if (info?.rateHz) setRate(runId, info.rateHz);
        finishes.noteFrames(runId, nowMs);
      }
    }
    for (const { partition: p, value: h } of released) {
      const frame = h.frame;
      if (frame === null) {
        stats.invalid++;
        pendingDlq.push({ raw: rawOf(telemetryTopic, p, h.m), reason: h.reason!, error: h.error! });
        continue;
      }
      const info = registry.get(frame.runId);
      if ((info && info.orgId !== frame.orgId) || (!info && o.requireRun)) {
        if (h.offset >= (restoredHw.get(p) ?? -1)) {
          const error = info
            ? `run ${frame.runId} does not belong to organization ${frame.orgId}`
            : `unknown run ${frame.runId}`;
          pendingDlq.push({ raw: rawOf(telemetryTopic, p, h.m), reason: 'tenant', error, orgId: frame.orgId });
        }
        continue;
      }
      const out = op.ingestRecord(frame, { partition: p, offset: h.offset }, nowMs);
      if (out.emitted.length > 0 || out.rejected.length > 0)
        takeOutput(out, Number(h.m.timestamp), nowMs, rawOf(telemetryTopic, p, h.m));
    }
    finishDue(nowMs);
  }

  /** Partitions read to their end hold the others back no longer than now (partition-aligner.ts). */
  async function refreshCaughtUp(): Promise<void> {
    if (assigned.size === 0) return;
    const checkedAt = Date.now();
    const ends = await admin.fetchTopicOffsets(telemetryTopic);
    for (const e of ends) {
      if (!assigned.has(e.partition)) continue;
      const position = nextOffset.get(e.partition) ?? Number(e.low);
      if (position >= Number(e.high)) aligner.markCaughtUp(e.partition, checkedAt);
    }
  }

  function finishDue(nowMs: number): void {
    if (finishes.size === 0) return;
    const cfg = op.config;
    for (const runId of finishes.due(
      (r) => op.watermark(r),
      (r) => rates.get(r) ?? cfg.sensorHz,
      cfg.outOfOrdernessS,
      nowMs,
    )) {
      takeOutput(op.flushRun(runId, nowMs), null, nowMs);
    }
  }

  /** Hands what was emitted so far to the sinks; each sink writes its batches in order. */
  function flush(): void {
    if (pendingWindows.length > 0) {
      const windows = pendingWindows;
      pendingWindows = [];
      featuresSink.push(async () => {
        // Built by the operator to the contract (the unit tests parse its output with the schema);
        // a non-finite value would still stop the offline sink (float8ArrayLiteral).
        const messages = windows.map((m) => ({ key: featuresKey(m), value: encodeMessage(m) }));
        // Chunks keep each request under the broker's message.max.bytes (1 MB by default).
        for (let i = 0; i < messages.length; i += SEND_CHUNK)
          await producer.send({ topic: featuresTopic, messages: messages.slice(i, i + SEND_CHUNK) });
        const now = Date.now();
        const lat = windows.map((m) => now - m.emittedAt);
        for (const l of lat) fm.emitToProduceSeconds.observe(l / 1000);
        metrics.kafkaMessagesOut.inc({ topic: TOPICS.features }, windows.length);
        o.onProduced?.(lat);
      });
      onlineSink.push(() => writeOnlineFeatures(o.redis, latestPerVehicle(windows), onlineTtlS));
      offlineSink.push(async () => {
        for (const s of buildUpsertStatements(windows, upsertRows)) await o.pool.query(s.text, s.values);
      });
    }
    if (pendingDlq.length > 0) {
      const rejected = pendingDlq;
      pendingDlq = [];
      dlqSink.push(async () => {
        const now = new Date();
        const messages = rejected.map((r) => ({
          key: r.raw.topic,
          value: encodeMessage(
            buildDlqMessage(r.raw, { reason: r.reason, error: r.error, consumerGroup: groupId, orgId: r.orgId }, now),
          ),
        }));
        for (let i = 0; i < messages.length; i += SEND_CHUNK)
          await producer.send({ topic: dlqTopic, messages: messages.slice(i, i + SEND_CHUNK) });
        for (const r of rejected) metrics.kafkaRejected.inc({ topic: TOPICS.telemetry, reason: r.reason });
        stats.dlq += rejected.length;
      });
    }
  }

  async function commit(): Promise<void> {
    if (fatal) return;
    // The snapshot first: everything emitted before it is in the sinks' queues by now.
    const offsets = op.committableOffsets().filter((c) => assigned.has(c.partition));
    flush();
    await Promise.all([featuresSink.drain(), onlineSink.drain(), offlineSink.drain(), dlqSink.drain()]);
    if (fatal || offsets.length === 0) return;
    try {
      await consumer.commitOffsets(
        offsets.map((c) => {
          const hw = Math.max(
            nextOffset.get(c.partition) ?? Number(c.offset),
            restoredHw.get(c.partition) ?? -1,
            Number(c.offset),
          );
          return {
            topic: telemetryTopic,
            partition: c.partition,
            offset: c.offset,
            metadata: withHighWater(c.metadata, hw),
          };
        }),
      );
    } catch (err) {
      // Typically a rebalance under way (queued batches are still being windowed when the group
      // moves on). A missed commit only means a longer replay; the next one catches up.
      log.warn({ err: (err as Error).message }, 'offset commit refused; retried with the next one');
      return;
    }
    stats.commits++;
    stats.lastCommitAt = Date.now();
    fm.commits.inc();
  }

  async function afterWork(force = false): Promise<void> {
    flush();
    // Back-pressure: a sink that falls behind slows reading down instead of growing a queue.
    for (const sink of [featuresSink, onlineSink, offlineSink, dlqSink]) if (sink.pending > 4) await sink.drain();
    const now = Date.now();
    if (force || now - lastCommit >= commitIntervalMs) {
      lastCommit = now;
      await commit();
    }
  }

  /** After every (re)join kafkajs resumes all assigned partitions from their commits: so do we. */
  async function restoreAssignment(partitions: number[]): Promise<void> {
    op.revokePartitions([...new Set([...assigned, ...nextOffset.keys()])]);
    nextOffset.clear();
    restoredHw.clear();
    assigned = new Set(partitions);
    aligner.assign(partitions, Date.now());
    op.assignPartitions(partitions);
    if (partitions.length === 0) return;
    const [committed] = await admin.fetchOffsets({ groupId, topics: [telemetryTopic] });
    const now = Date.now();
    for (const c of committed?.partitions ?? []) {
      if (!assigned.has(c.partition)) continue;
      const offset = Number(c.offset);
      if (!(offset >= 0)) continue;
      op.restore(c.partition, offset, c.metadata, now);
      nextOffset.set(c.partition, offset);
      restoredHw.set(c.partition, highWaterOf(c.metadata));
    }
    log.info({ partitions }, 'partitions restored from their commits');
  }

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const partitions = e.payload.memberAssignment[telemetryTopic] ?? [];
    restoring = serial(() => restoreAssignment(partitions)).catch((err) => fail(err));
  });

  await Promise.all([producer.connect(), admin.connect(), consumer.connect(), eventsConsumer.connect()]);
  await consumer.subscribe({ topic: telemetryTopic, fromBeginning: true });
  const decoder = new DecodePool(o.decodeThreads ?? 0);
  const prefetchBatches = o.prefetchBatches ?? 8;
  const ahead: Promise<unknown>[] = [];
  await eventsConsumer.subscribe({ topic: eventsTopic, fromBeginning: false });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, isStale, heartbeat }) => {
      await restoring;
      if (stopping || fatal || isStale()) return;
      // kafkajs fetches again only when every batch it handed over has returned. So a batch is
      // decoded (on a decode thread when there is one) and queued for windowing, and kafkajs
      // fetches the next ones meanwhile, up to prefetchBatches ahead. Offsets are committed
      // from what the operator has seen, never from what kafkajs fetched, so nothing queued
      // here is ever skipped; a step that fails stops all commits and the restart replays.
      const decoded = decoder.decode(batch.messages.map((m) => m.value));
      const step = serial(async () => {
        const d = await decoded;
        if (stopping || fatal || isStale()) return;
        await receiveTelemetry(batch, d);
        await afterWork();
      }).catch((err) => fail(err));
      ahead.push(step);
      while (ahead.length > prefetchBatches) await ahead.shift();
      await heartbeat();
    },
  });

  await eventsConsumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(simEventSchema, message.value);
      // The web's run-events consumer owns the DLQ for dl.events; here a bad event is only skipped.
      if (!decoded.ok) return;
      const e = decoded.value;
      if (e.type !== 'run_started' && e.type !== 'run_finished') return;
      await serial(async () => {
        await registry.resolve([e.runId]);
        const info = registry.get(e.runId);
        if (info && info.orgId !== e.orgId) return;
        if (e.type === 'run_started') setRate(e.runId, e.data.rateHz);
        else finishes.finished(e.runId, e.t, Date.now());
      });
    },
  });
  // Start back in time so that a restarted copy learns how the runs it replays ended.
  const since = await admin.fetchTopicOffsetsByTimestamp(eventsTopic, Date.now() - (o.eventsLookbackMs ?? 3_600_000));
  for (const s of since) eventsConsumer.seek({ topic: eventsTopic, partition: s.partition, offset: s.offset });

  let ticking = false;
  const tick = setInterval(() => {
    if (stopping || fatal || ticking) return;
    ticking = true;
    void serial(async () => {
      const now = Date.now();
      fm.decodeThreads.set(decoder.threads);
      await refreshCaughtUp();
      await processReleased(now);
      finishDue(now);
      takeOutput(op.advanceIdle(now), null, now);
      await afterWork();
    })
      .catch((err) => log.warn({ err }, 'tick failed'))
      .finally(() => (ticking = false));
  }, o.tickMs ?? 100);
  started = true;

  return {
    ready: () => started && !stopping && !fatal,
    stats: () => ({ ...stats }),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(tick);
      // Stop reading, write out what was emitted, commit while still in the group, then leave.
      consumer.pause([{ topic: telemetryTopic }]);
      await serial(() => commit()).catch((err) => log.error({ err }, 'final commit failed'));
      await eventsConsumer.disconnect();
      await consumer.disconnect();
      await admin.disconnect();
      await producer.disconnect();
      await decoder.close();
    },
  };
}
