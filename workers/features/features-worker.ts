import { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { createProducer, topic } from '~/server/kafka/client';
import { CONSUMER_GROUPS, TOPICS } from '~/server/kafka/topics';
import { childLogger } from '~/server/observability/logger';
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
 * The features worker (../shared/DESIGN.md, "Streaming semantics"): dl.telemetry → window
 * operator → dl.features, Redis (online store) and Postgres (offline store).
 *
 * Exactly-once in effect: offsets are committed by hand, only as far as the operator allows (the
 * first frame of the oldest window still open) and only after every sink write of what was
 * emitted before has been acknowledged. After a crash or a rebalance kafkajs resumes every
 * assigned partition from its commit, the operator is restored from the commit metadata, and the
 * replay rebuilds the same windows, whose idempotent upserts change nothing.
 *
 * Wired as a Flink job: a source (source.ts: consume, decode, align, restore on rebalance), the
 * window stage (window-stage.ts: the operator, the tenant rule, run lifecycle from dl.events,
 * run-events.ts) and the sink-and-commit coordinator (server/kafka/commit-coordinator.ts) over the
 * four sinks (sinks.ts). Everything that touches the operator runs one step at a time.
 */
export async function startFeaturesWorker(o: FeaturesWorkerOptions): Promise<FeaturesWorker> {
  const prefix = o.prefix;
  const groupId = o.groupId ?? CONSUMER_GROUPS.features;
  const telemetryTopic = topic(TOPICS.telemetry, prefix);
  const commitIntervalMs = o.commitIntervalMs ?? 1000;
  let stopping = false;
  let lastCommit = 0;
  let started = false;
  let dlq = 0;

  // Everything that touches the operator runs one step at a time.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  }

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
      await afterWork();
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
    featuresTopic: topic(TOPICS.features, prefix),
    dlqTopic: topic(TOPICS.dlq, prefix),
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
  const events = new RunEventsSource(o.kafka, groupId, topic(TOPICS.events, prefix), source.admin);

  /** Commits what the operator allows, once the sinks hold everything emitted before. */
  async function commit(): Promise<void> {
    // The snapshot first: everything emitted before it is in the sinks' queues by now.
    if (coordinator.failed) return;
    const entries = source.handover.commitEntries(op.committableOffsets());
    if (await coordinator.commit(entries, () => sinks.flush())) fm.commits.inc();
  }

  async function afterWork(force = false): Promise<void> {
    sinks.flush();
    await coordinator.backPressure();
    const now = Date.now();
    if (force || now - lastCommit >= commitIntervalMs) {
      lastCommit = now;
      await commit();
    }
  }

  await Promise.all([producer.connect(), source.connect(), events.connect()]);
  await source.run();
  await events.run(stage, serial, o.eventsLookbackMs ?? 3_600_000);

  let ticking = false;
  const tick = setInterval(() => {
    if (stopping || coordinator.failed || ticking) return;
    ticking = true;
    void serial(async () => {
      const now = Date.now();
      fm.decodeThreads.set(source.decodeThreads);
      await source.refreshCaughtUp();
      await stage.process(source.release(), now);
      stage.finishDue(now);
      stage.advanceIdle(now);
      await afterWork();
    })
      .catch((err) => log.warn({ err }, 'tick failed'))
      .finally(() => (ticking = false));
  }, o.tickMs ?? 100);
  started = true;

  return {
    ready: () => started && !stopping && !coordinator.failed,
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
      clearInterval(tick);
      // Stop reading, write out what was emitted, commit while still in the group, then leave.
      source.pause();
      await serial(() => commit()).catch((err) => log.error({ err }, 'final commit failed'));
      await events.disconnect();
      await source.disconnect();
      await producer.disconnect();
      await source.closeDecoder();
    },
  };
}
