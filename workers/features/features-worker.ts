import { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { createProducer, topic } from '~/server/kafka/client';
import { CONSUMER_GROUPS, TOPICS } from '~/server/kafka/topics';
import { childLogger } from '~/server/observability/logger';
import { serialQueue, startTicker } from '~/server/worker/serial';
import { Checkpoints } from './checkpoints';
import { createWindowOperator } from './operator';
import { RunEventsSource } from './run-events';
import { createRunRegistry, pgRunLookup } from './run-registry';
import { FEATURE_SINKS, FeatureSinks } from './sinks';
import { TelemetrySource } from './source';
import { WindowStage } from './window-stage';
import { featureMetrics as fm } from './worker-metrics';
import type { FeaturesWorker, FeaturesWorkerOptions } from './worker-options';

export type { FeaturesWorker, FeaturesWorkerOptions, FeaturesWorkerStats } from './worker-options';

const log = childLogger('features');

/**
 * The features worker (../shared/DESIGN.md, "Streaming semantics"), wired as a Flink job:
 * dl.telemetry → source (source.ts: consume, decode, align, restore on rebalance) → window stage
 * (window-stage.ts over operator.ts; run lifecycle from dl.events, run-events.ts) → sinks
 * (sinks.ts: dl.features, Redis, Postgres, dl.dlq) → commit (checkpoints.ts). Offsets are
 * committed only as far as the resume points allow and only after the sinks acknowledged what was
 * emitted before: after a crash or rebalance the replay rebuilds the same windows, whose
 * idempotent upserts change nothing. Everything that touches the operator runs one step at a time.
 */
export async function startFeaturesWorker(o: FeaturesWorkerOptions): Promise<FeaturesWorker> {
  const groupId = o.groupId ?? CONSUMER_GROUPS.features;
  const telemetryTopic = topic(TOPICS.telemetry, o.prefix);
  const serial = serialQueue();
  let stopping = false;
  let dlq = 0;

  const producer = createProducer(o.kafka);
  const op = createWindowOperator(o.window);
  const source = new TelemetrySource({
    kafka: o.kafka,
    groupId,
    topic: telemetryTopic,
    sessionTimeoutMs: o.sessionTimeoutMs ?? 30_000,
    alignSlackMs: o.alignSlackMs ?? 250,
    decodeThreads: o.decodeThreads ?? 0,
    prefetchBatches: o.prefetchBatches ?? 8,
    serial,
    onAssigned(revoked, partitions, committed) {
      op.revokePartitions(revoked);
      op.assignPartitions(partitions);
      const now = Date.now();
      for (const c of committed) op.restore(c.partition, Number(c.offset), c.metadata, now);
    },
    async onReceived(nowMs) {
      await stage.process(source.release(), nowMs);
      await checkpoints.afterWork();
    },
    halted: () => stopping || coordinator.failed,
    onError: (err) => coordinator.fail(err),
  });
  const coordinator = CommitCoordinator.forConsumer(source.consumer, {
    sinks: FEATURE_SINKS,
    timer: (sink) => fm.sinkSeconds.startTimer({ sink }),
    onFatal: (err) => o.onFatal?.(err),
  });
  const sinks = new FeatureSinks(coordinator, {
    producer,
    redis: o.redis,
    pool: o.pool,
    featuresTopic: topic(TOPICS.features, o.prefix),
    dlqTopic: topic(TOPICS.dlq, o.prefix),
    groupId,
    onlineTtlS: o.onlineTtlS ?? 3600,
    upsertRows: o.upsertBatchRows ?? 2000,
    onProduced: o.onProduced,
    onDlq: (n) => (dlq += n),
  });
  const stage = new WindowStage({
    op,
    registry: createRunRegistry(pgRunLookup(o.pool)),
    handover: source.handover,
    sinks,
    telemetryTopic,
    finishGraceMs: o.finishGraceMs ?? 10_000,
    requireRun: o.requireRun ?? false,
  });
  const checkpoints = new Checkpoints({
    op,
    handover: source.handover,
    coordinator,
    sinks,
    intervalMs: o.commitIntervalMs ?? 1000,
  });
  const events = new RunEventsSource(o.kafka, groupId, topic(TOPICS.events, o.prefix), source.admin);

  await Promise.all([producer.connect(), source.connect(), events.connect()]);
  await source.run();
  await events.run(stage, serial, o.eventsLookbackMs ?? 3_600_000);

  // Processing time: idle partitions, finished runs, the periodic flush and commit.
  const stopTicker = startTicker(
    o.tickMs ?? 100,
    () =>
      serial(async () => {
        const now = Date.now();
        fm.decodeThreads.set(source.decodeThreads);
        await source.refreshCaughtUp();
        await stage.process(source.release(), now);
        stage.finishDue(now);
        stage.advanceIdle(now);
        await checkpoints.afterWork();
      }),
    () => stopping || coordinator.failed,
    (err) => log.warn({ err }, 'tick failed'),
  );

  return {
    ready: () => !stopping && !coordinator.failed,
    stats: () => ({
      framesIn: source.framesIn,
      invalid: stage.invalid,
      windowsOut: stage.windowsOut,
      dlq,
      commits: coordinator.commits,
      lastCommitAt: coordinator.lastCommitAt,
    }),
    async stop() {
      if (stopping) return;
      stopping = true;
      stopTicker();
      // Stop reading, write out what was emitted, commit while still in the group, then leave.
      source.pause();
      await serial(() => checkpoints.commit()).catch((err: unknown) => log.error({ err }, 'final commit failed'));
      await events.disconnect();
      await source.disconnect();
      await producer.disconnect();
      await source.closeDecoder();
    },
  };
}
