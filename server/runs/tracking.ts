import { createHash } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import type { Kafka } from 'kafkajs';
import type { z } from 'zod';
import { simEventSchema, type SimEvent } from '../contracts/events';
import { runStatusSchema, type RunStatus } from '../contracts/run-status';
import { env } from '../env';
import { CONSUMER_GROUPS, consumerGroup, TOPICS } from '../kafka/topics';
import {
  RejectMessage,
  runValidatedConsumer,
  type RunningConsumer,
  type ValidatedConsumerOptions,
} from '../kafka/typed';
import { childLogger } from '../observability/logger';
import { labelFromFaults } from '../outcomes/ground-truth';
import { objectStore } from '../store/object-store';
import { advanceCampaign } from './campaigns';
import { StatusFeedWatch } from './status-feed';
import { TERMINAL_STATES } from './commands';

const log = childLogger('runs');
const isTerminal = (s: string) => (TERMINAL_STATES as readonly string[]).includes(s);

/** Run ids → org ids seen recently, so the per-event tenant check rarely touches Postgres. */
const orgOfRun = new Map<string, string>();

async function assertRunInOrg(db: PrismaClient, runId: string, orgId: string): Promise<void> {
  let owner = orgOfRun.get(runId);
  if (!owner) {
    const run = await db.run.findUnique({ where: { id: runId }, select: { orgId: true } });
    if (!run) throw new RejectMessage('validation', `unknown run ${runId}`, orgId);
    owner = run.orgId;
    if (orgOfRun.size > 10_000) orgOfRun.clear();
    orgOfRun.set(runId, owner);
  }
  if (owner !== orgId) throw new RejectMessage('tenant', `run ${runId} does not belong to org ${orgId}`, orgId);
}

/** Persists one dl.run.status message. Terminal states are final: late progress never reopens a run. */
export async function applyRunStatus(db: PrismaClient, s: RunStatus): Promise<void> {
  await assertRunInOrg(db, s.runId, s.orgId);
  const terminal = isTerminal(s.state);
  const now = new Date();
  const r = await db.run.updateMany({
    where: { id: s.runId, state: { notIn: [...TERMINAL_STATES] } },
    data: {
      state: s.state,
      progress: s.progress,
      simTime: s.simTime,
      realTimeFactor: s.realTimeFactor,
      heartbeatAt: now,
      ...(s.kpis ? { kpis: s.kpis } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(terminal ? { finishedAt: now } : {}),
    },
  });
  if (r.count === 0) return;
  if (s.state === 'running')
    await db.run.updateMany({ where: { id: s.runId, startedAt: null }, data: { startedAt: now } });
  if (terminal) {
    const run = await db.run.findUnique({ where: { id: s.runId }, select: { campaignId: true } });
    if (run?.campaignId) await advanceCampaign(db, run.campaignId);
    // The run is over: what it served is labelled from its faults, the windows after the last
    // fault event included.
    await labelRunOutcomes(db, s.orgId, s.runId);
  }
}

/** Served predictions of the run labelled from its fault events; a failure never stops run tracking. */
async function labelRunOutcomes(
  db: PrismaClient,
  orgId: string,
  runId: string,
  o: { vehicleId?: string; upTo?: number } = {},
): Promise<void> {
  await labelFromFaults(db, orgId, runId, { ...o, store: objectStore() }).catch((err: unknown) =>
    log.warn({ err, runId }, 'served predictions not labelled from faults'),
  );
}

/** An event's id is derived from its content, so a replay after a crash inserts nothing twice. */
export function runEventId(e: SimEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([e.runId, e.vehicleId, e.t, e.type, e.data]))
    .digest('hex')
    .slice(0, 32);
}

export async function applyRunEvent(db: PrismaClient, e: SimEvent): Promise<void> {
  await assertRunInOrg(db, e.runId, e.orgId);
  await db.runEvent.createMany({
    data: [
      {
        id: runEventId(e),
        orgId: e.orgId,
        runId: e.runId,
        vehicleId: e.vehicleId,
        t: e.t,
        type: e.type,
        data: e.data,
      },
    ],
    skipDuplicates: true,
  });
  // Simulated runs feed their own ground truth: what was served for this vehicle up to the
  // event is labelled from the faults known now (and relabelled when a later event changes them).
  if ((e.type === 'fault_start' || e.type === 'fault_end') && e.vehicleId)
    await labelRunOutcomes(db, e.orgId, e.runId, { vehicleId: e.vehicleId, upTo: e.t });
}

/**
 * Runs whose simulator stopped reporting are failed instead of staying "running" forever
 * (a sim worker that died, or lost its Kafka connection). With the status feed's watch, nothing
 * is reaped while the feed itself is down or has not been up for the whole timeout.
 */
export async function reapStaleRuns(
  db: PrismaClient,
  timeoutS: number = env.RUN_HEARTBEAT_TIMEOUT_S,
  feed?: StatusFeedWatch,
): Promise<string[]> {
  const cutoff = feed ? feed.reapCutoff(timeoutS * 1000) : new Date(Date.now() - timeoutS * 1000);
  if (!cutoff) return [];
  const stale = await db.run.findMany({
    where: { state: 'running', heartbeatAt: { lt: cutoff } },
    select: { id: true, campaignId: true },
  });
  const failed: string[] = [];
  for (const run of stale) {
    const r = await db.run.updateMany({
      where: { id: run.id, state: 'running', heartbeatAt: { lt: cutoff } },
      data: {
        state: 'failed',
        error: `The simulator stopped reporting (no status for ${timeoutS} s); the worker may have died.`,
        finishedAt: new Date(),
      },
    });
    if (r.count === 1) {
      failed.push(run.id);
      log.warn({ runId: run.id }, 'run failed: simulator stopped reporting');
      if (run.campaignId) await advanceCampaign(db, run.campaignId);
    }
  }
  return failed;
}

/**
 * The web process keeps run state in Postgres from dl.run.status and dl.events (one consumer
 * group shared by all web instances, so each message is persisted once) and reaps stale runs.
 */
export async function startRunTracking(
  kafka: Kafka,
  db: PrismaClient,
  options: { prefix?: string; reapEveryMs?: number } = {},
): Promise<{ stop: () => Promise<void> }> {
  const consumers: RunningConsumer[] = [];
  const feed = new StatusFeedWatch();
  // Group ids are broker-wide: prefixed like the topics so deployments sharing a broker stay apart.
  // Both read from the beginning: a run's rows must reflect every status and event ever sent.
  const fromStart = <S extends z.ZodType>(
    group: string,
    t: ValidatedConsumerOptions<S>['topic'],
    schema: S,
    handle: (value: z.infer<S>) => Promise<void>,
  ) =>
    runValidatedConsumer({
      kafka,
      groupId: consumerGroup(group, options.prefix ?? env.KAFKA_TOPIC_PREFIX),
      topic: t,
      schema,
      prefix: options.prefix,
      fromBeginning: true,
      handle,
    });
  consumers.push(
    await fromStart(CONSUMER_GROUPS.webRunStatus, TOPICS.runStatus, runStatusSchema, (s) => applyRunStatus(db, s)),
    await fromStart(CONSUMER_GROUPS.webRunEvents, TOPICS.events, simEventSchema, (e) => applyRunEvent(db, e)),
  );
  feed.follow(consumers[0]!.consumer);
  const timer = setInterval(
    () =>
      void reapStaleRuns(db, env.RUN_HEARTBEAT_TIMEOUT_S, feed).catch((err: unknown) =>
        log.error({ err }, 'reaper failed'),
      ),
    options.reapEveryMs ?? 5000,
  );
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
