import type { Consumer, Kafka, Producer } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { simEventSchema, type SimEvent } from '~/server/contracts/events';
import { telemetryFrameSchema, type TelemetryFrame } from '~/server/contracts/telemetry';
import { createProducer, topic } from '~/server/kafka/client';
import { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { decodeMessage, rawMessageRef } from '~/server/kafka/messages';
import { CONSUMER_GROUPS, TOPICS } from '~/server/kafka/topics';
import { RejectMessage, sendToDlq } from '~/server/kafka/typed';
import { childLogger } from '~/server/observability/logger';
import { metrics } from '~/server/observability/metrics';
import type { ObjectStore } from '~/server/store/object-store';
import { recordingKey } from '~/server/store/recordings';
import { closeDecision, type ClosePolicy } from './close-policy';
import { committableOffsets, parsePartitionKey, partitionKey, type PartitionKey } from './offsets';
import { RunRecording } from './run-recording';
import { SerialQueue } from './serial-queue';

const log = childLogger('recorder');

/**
 * PARTITIONING DECISION: the recorder runs as a SINGLE copy of the consumer group
 * `drivelab-recorder`, subscribed to dl.telemetry and dl.events together, so it owns every
 * partition and writes exactly one MCAP file per run at recordingKey(orgId, runId). A run's frames
 * are keyed runId:vehicleId and spread over all partitions; per-partition segments would make
 * every download and replay a merge and leave Foxglove users with several files per run. One copy
 * writes uncompressed JSON far faster than the simulator produces it; scale-out is a later step
 * (segments per (run, partition), merged by the reader). A second copy joining the group is
 * logged as an error, because it would write a competing file for the same runs.
 *
 * DELIVERY GUARANTEE: at-least-once from Kafka into a closed file, exactly-once inside a file.
 * Offsets are committed by hand (autoCommit off): a partition's committed offset never passes the
 * first message of a recording that is still open, because an open MCAP file is not durable (it
 * lives under a .partial name and cannot be resumed). After a crash the open runs are replayed
 * from their first message and their files rebuilt from scratch; frames are deduplicated on
 * write by (vehicleId, seq) and events by their content, and messages of runs whose file already
 * exists are skipped, so replays and producer retries leave each frame in the file exactly once.
 */
export interface RecorderOptions {
  kafka: Kafka;
  store: ObjectStore;
  policy: ClosePolicy;
  /** The org that owns a run, or null when no such run exists (messages are then refused). */
  runOrg: (runId: string) => Promise<string | null>;
  prefix?: string;
  groupId?: string;
  sessionTimeoutMs?: number;
  tickMs?: number;
  now?: () => number;
  /** A file that cannot be closed leaves its messages uncommitted; the process should restart. */
  onFatal?: (err: unknown) => void;
}

export interface RecorderHandle {
  stop(): Promise<void>;
  ready(): boolean;
  readonly openRuns: number;
}

interface OpenRun {
  rec: RunRecording;
  firstOffsets: Map<PartitionKey, bigint>;
  lastMessageAt: number;
  finishedAt: number | null;
}

const MAX_REMEMBERED = 10_000;

function recorderMetrics() {
  const g = globalThis as typeof globalThis & { drivelabRecorderMetrics?: ReturnType<typeof create> };
  function create() {
    const r = [metrics.registry];
    return {
      written: new Counter({
        name: 'drivelab_recorder_messages_written_total',
        help: 'Frames and events written to recordings',
        labelNames: ['kind'] as const,
        registers: r,
      }),
      duplicates: new Counter({
        name: 'drivelab_recorder_duplicates_total',
        help: 'Messages already in their recording (replays, producer retries)',
        registers: r,
      }),
      skipped: new Counter({
        name: 'drivelab_recorder_skipped_closed_total',
        help: 'Messages of runs whose recording is already closed',
        registers: r,
      }),
      closed: new Counter({
        name: 'drivelab_recorder_recordings_closed_total',
        help: 'Recordings closed, by why',
        labelNames: ['reason'] as const,
        registers: r,
      }),
      open: new Gauge({ name: 'drivelab_recorder_recordings_open', help: 'Recordings being written', registers: r }),
    };
  }
  return (g.drivelabRecorderMetrics ??= create());
}

export async function startRecorder(options: RecorderOptions): Promise<RecorderHandle> {
  const now = options.now ?? Date.now;
  const groupId = options.groupId ?? CONSUMER_GROUPS.recorder;
  const telemetryTopic = topic(TOPICS.telemetry, options.prefix);
  const eventsTopic = topic(TOPICS.events, options.prefix);
  const m = recorderMetrics();

  const queue = new SerialQueue();
  const open = new Map<string, OpenRun>();
  // Runs whose file exists (closed here or found in the store); insertion-ordered for trimming.
  const closed = new Map<string, true>();
  const orgOfRun = new Map<string, string>();
  const lastHandled = new Map<PartitionKey, bigint>();
  let running = false;

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.set(key, value);
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
  };

  const consumer: Consumer = options.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
  });
  // No sink chains: a recording is durable once closed (closeDue), and committableOffsets never
  // passes an open one. This single copy keeps every partition, so unchanged offsets are skipped.
  const coordinator = CommitCoordinator.forConsumer(consumer, { skipUnchanged: true });
  const dlqProducer: Producer = createProducer(options.kafka);
  await Promise.all([consumer.connect(), dlqProducer.connect()]);

  // The single-copy rule (see above): warn loudly when this copy does not own every partition.
  const admin = options.kafka.admin();
  await admin.connect();
  const meta = await admin
    .fetchTopicMetadata({ topics: [telemetryTopic, eventsTopic] })
    .finally(() => admin.disconnect());
  const totalPartitions = meta.topics.reduce((n, t) => n + t.partitions.length, 0);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const owned = Object.values(e.payload.memberAssignment).reduce((n, ps) => n + ps.length, 0);
    if (owned < totalPartitions)
      log.error(
        { owned, totalPartitions },
        'another recorder copy is in the group: run exactly one copy of workers/recorder',
      );
    running = true;
  });

  async function checkTenant(value: { orgId: string; runId: string }): Promise<void> {
    let org = orgOfRun.get(value.runId);
    if (org === undefined) {
      const found = await options.runOrg(value.runId);
      if (found === null) throw new RejectMessage('tenant', `unknown run ${value.runId}`, value.orgId);
      remember(orgOfRun, value.runId, (org = found));
    }
    if (org !== value.orgId)
      throw new RejectMessage('tenant', `run ${value.runId} does not belong to org ${value.orgId}`, value.orgId);
  }

  /** The open recording of a run, or null when the run's file is already closed. */
  async function recordingFor(orgId: string, runId: string): Promise<OpenRun | null> {
    if (closed.has(runId)) return null;
    const existing = open.get(runId);
    if (existing) return existing;
    const reader = await options.store.openReader(recordingKey(orgId, runId));
    if (reader) {
      await reader.close();
      remember(closed, runId, true);
      return null;
    }
    const run: OpenRun = {
      rec: await RunRecording.open(options.store, orgId, runId),
      firstOffsets: new Map(),
      lastMessageAt: now(),
      finishedAt: null,
    };
    open.set(runId, run);
    m.open.set(open.size);
    log.info({ runId, orgId }, 'recording opened');
    return run;
  }

  async function handle(
    kind: 'frame' | 'event',
    value: TelemetryFrame | SimEvent,
    pk: PartitionKey,
    offset: bigint,
  ): Promise<void> {
    await checkTenant(value);
    const run = await recordingFor(value.orgId, value.runId);
    if (!run) {
      m.skipped.inc();
      return;
    }
    if (!run.firstOffsets.has(pk)) run.firstOffsets.set(pk, offset);
    const written =
      kind === 'frame' ? await run.rec.addFrame(value as TelemetryFrame) : await run.rec.addEvent(value as SimEvent);
    if (written) m.written.inc({ kind });
    else m.duplicates.inc();
    run.lastMessageAt = now();
    if (kind === 'event' && (value as SimEvent).type === 'run_finished' && run.finishedAt === null)
      run.finishedAt = now();
  }

  async function closeDue(): Promise<void> {
    for (const [runId, run] of open) {
      const decision = closeDecision(run, now(), options.policy);
      if (decision === 'keep') continue;
      await run.rec.close();
      open.delete(runId);
      remember(closed, runId, true);
      m.open.set(open.size);
      m.closed.inc({ reason: decision });
      log.info(
        {
          runId,
          key: run.rec.key,
          frames: run.rec.frames,
          events: run.rec.events,
          duplicates: run.rec.duplicates,
          reason: decision,
        },
        'recording closed',
      );
    }
  }

  /** A refused commit (e.g. during a rebalance) is only late: the next tick commits again. */
  async function commit(): Promise<void> {
    const target = committableOffsets(
      lastHandled,
      [...open.values()].map((r) => r.firstOffsets),
    );
    await coordinator.commit([...target].map(([pk, off]) => ({ ...parsePartitionKey(pk), offset: off.toString() })));
  }

  await consumer.subscribe({ topics: [telemetryTopic, eventsTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      const raw = rawMessageRef(t, partition, message);
      const pk = partitionKey(t, partition);
      const offset = BigInt(message.offset);
      const isTelemetry = t === telemetryTopic;
      const sourceTopicName = isTelemetry ? TOPICS.telemetry : TOPICS.events;
      await queue.run(async () => {
        const decoded = isTelemetry
          ? decodeMessage(telemetryFrameSchema, message.value)
          : decodeMessage(simEventSchema, message.value);
        try {
          if (!decoded.ok) throw new RejectMessage(decoded.reason, decoded.error);
          await handle(isTelemetry ? 'frame' : 'event', decoded.value, pk, offset);
          metrics.kafkaMessagesIn.inc({ topic: sourceTopicName });
        } catch (err) {
          if (!(err instanceof RejectMessage)) throw err;
          log.warn(
            { topic: t, partition, offset: message.offset, reason: err.reason, error: err.message },
            'message rejected',
          );
          await sendToDlq(
            dlqProducer,
            raw,
            { reason: err.reason, error: err.message, consumerGroup: groupId, orgId: err.orgId },
            { prefix: options.prefix, sourceTopicName },
          );
        }
        const prev = lastHandled.get(pk);
        if (prev === undefined || offset > prev) lastHandled.set(pk, offset);
      });
    },
  });

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void queue
      .run(async () => {
        try {
          await closeDue();
        } catch (err) {
          log.error({ err }, 'closing a recording failed');
          options.onFatal?.(err);
          return;
        }
        await commit();
      })
      .finally(() => (ticking = false));
  }, options.tickMs ?? 500);

  return {
    get openRuns() {
      return open.size;
    },
    ready: () => running,
    async stop() {
      clearInterval(timer);
      await queue.run(async () => {
        // Commit what is durable, then drop unfinished files: their messages stay uncommitted
        // and the next copy rebuilds them from their first offset.
        await commit().catch((err: unknown) => log.warn({ err }, 'final commit failed'));
      });
      await consumer.disconnect();
      await queue.run(async () => {
        for (const run of open.values()) await run.rec.abort();
        open.clear();
      });
      await dlqProducer.disconnect();
    },
  };
}
