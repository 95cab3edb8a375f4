import { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { createProducer, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
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
import { withDefaults, type FeaturesWorker, type FeaturesWorkerOptions } from './worker-options';

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
export async function startFeaturesWorker(options: FeaturesWorkerOptions): Promise<FeaturesWorker> {
  const o = withDefaults(options);
  const telemetryTopic = topic(TOPICS.telemetry, o.prefix);
  const serial = serialQueue();
  let stopping = false;

  const producer = createProducer(o.kafka);
  const op = createWindowOperator(o.window);
  const source = new TelemetrySource({
    ...o,
    topic: telemetryTopic,
    serial,
    onAssigned: (revoked, partitions, committed) => stage.assign(revoked, partitions, committed, Date.now()),
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
    ...o,
    producer,
    featuresTopic: topic(TOPICS.features, o.prefix),
    dlqTopic: topic(TOPICS.dlq, o.prefix),
    upsertRows: o.upsertBatchRows,
  });
  const registry = createRunRegistry(pgRunLookup(o.pool));
  const stage = new WindowStage({ ...o, op, registry, handover: source.handover, sinks, telemetryTopic });
  const checkpoints = new Checkpoints({
    op,
    handover: source.handover,
    coordinator,
    sinks,
    intervalMs: o.commitIntervalMs,
  });
  const events = new RunEventsSource(o.kafka, o.groupId, topic(TOPICS.events, o.prefix), source.admin);

  await Promise.all([producer.connect(), source.connect(), events.connect()]);
  await source.run();
  await events.run(stage, serial, o.eventsLookbackMs);

  // Processing time: idle partitions, finished runs, the periodic flush and commit.
  const stopTicker = startTicker(
    o.tickMs,
    () =>
      serial(async () => {
        const now = Date.now();
        await stage.tick(await source.tick(), now);
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
      dlq: sinks.dlqSent,
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
