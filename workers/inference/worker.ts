import { hostname } from 'node:os';
import type { PrismaClient } from '@prisma/client';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { RateLimit } from '~/server/auth/rate-limit';
import type { DlqReason } from '~/server/contracts/dlq';
import { featuresMessageSchema, type FeaturesMessage } from '~/server/contracts/features';
import { modelDeploymentChangedSchema } from '~/server/contracts/models';
import { alertMessageSchema, predictionMessageSchema } from '~/server/contracts/predictions';
import { createProducer, topic } from '~/server/kafka/client';
import { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import { decodeMessage, rawMessageRef, type RawMessageRef } from '~/server/kafka/messages';
import { TOPICS } from '~/server/kafka/topics';
import { runValidatedConsumer, sendToDlq, typedProducer, type RunningConsumer } from '~/server/kafka/typed';
import { describeAdapter, detectGpu } from '~/server/gpu/adapter';
import { prismaServingWindows, WINDOW_FLUSH_MS } from '~/server/drift/serving';
import { scoresOf } from '~/server/inference/scoring';
import { recordStreamServed } from '~/server/outcomes/served';
import { childLogger } from '~/server/observability/logger';
import { metrics } from '~/server/observability/metrics';
import type { ObjectStore } from '~/server/store/object-store';
import { AlertOutbox } from './alert-outbox';
import { ApiKeyAuth } from './auth';
import type { InferenceConfig } from './config';
import { DeploymentRegistry } from './deployments';
import { createOipServer, listen } from './http';
import { scopeOf, StreamScorer } from './streaming';
import { VersionStatsBook } from './version-stats';

const log = childLogger('inference');

export interface InferenceWorkerOptions {
  config: InferenceConfig;
  kafka: Kafka;
  db: PrismaClient;
  redis: Redis | null;
  store: ObjectStore;
  rateLimit: RateLimit;
  prefix?: string;
  /** false: HTTP only (no dl.features consumer), e.g. for benchmarks of the HTTP path. */
  streaming?: boolean;
  /** Where a new dl.features consumer group starts (default: the latest offsets). */
  fromBeginning?: boolean;
}

export interface InferenceWorker {
  httpPort: number;
  registry: DeploymentRegistry;
  ready(): boolean;
  stop(): Promise<void>;
}

/**
 * The inference worker: deployments from Postgres, reloaded on dl.models (every copy reads every
 * message: a consumer group of its own); dl.features consumed in the shared group, scored and
 * published to dl.predictions, with debounced alerts to dl.alerts and the Alert table; the Open
 * Inference Protocol over HTTP.
 */
export async function startInferenceWorker(o: InferenceWorkerOptions): Promise<InferenceWorker> {
  const c = o.config;
  const instanceId = `${hostname()}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const stats = new VersionStatsBook(instanceId);
  // What this copy serves, summarised per version in drift windows (server/drift/serving.ts).
  const windows = prismaServingWindows(o.db);
  // The GPU is looked for once, at start, and only when a WebGPU provider is configured.
  const adapter = c.providers.includes('webgpu') ? (await detectGpu()).report : null;
  if (adapter) log.info({ adapter }, `GPU adapter: ${describeAdapter(adapter)}`);
  const registry = new DeploymentRegistry({
    db: o.db,
    store: o.store,
    aliases: c.aliases,
    load: {
      providers: c.providers,
      intraOpThreads: c.intraOpThreads,
      batching: { maxBatch: c.maxBatch, maxDelayUs: c.maxDelayUs, maxConcurrent: c.maxConcurrentRuns },
      gpuMaxBatch: c.gpuMaxBatch,
      adapter,
    },
    onOpen: (s) => stats.attach(s),
  });
  await registry.loadAll();

  // Deployment changes: started after the first full load, so nothing between is missed for long
  // (a message during the load reloads that alias again, which is idempotent).
  const models: RunningConsumer = await runValidatedConsumer({
    kafka: o.kafka,
    groupId: `${c.groupId}.models.${instanceId}`,
    topic: TOPICS.models,
    schema: modelDeploymentChangedSchema,
    prefix: o.prefix,
    fromBeginning: false,
    handle: async (m) => {
      log.info({ model: m.modelName, alias: m.alias, action: m.action }, 'deployment change');
      await registry.reload(m.modelId, m.alias);
    },
  });
  // A change made between the first load and the consumer's join is picked up here.
  await registry.loadAll();

  const producer: Producer = createProducer(o.kafka);
  await producer.connect();
  const predictions = typedProducer(producer, TOPICS.predictions, predictionMessageSchema, { prefix: o.prefix });
  const alerts = typedProducer(producer, TOPICS.alerts, alertMessageSchema, { prefix: o.prefix });
  const scorer = new StreamScorer(registry, {
    aliases: c.aliases,
    windowKind: c.windowKind,
    alert: c.alert,
    recordServed: c.recordServed,
    onServed: (id, s, rows, us) => stats.record(id, s, rows, us),
    onScored: (s, data, rows, scores) => {
      if (s.info.inputShape.length === 1) windows.observe(s.info, 'stream', data, rows, scores);
    },
  });

  const pendingAlerts = new AlertOutbox();
  const runOrgs = new Map<string, string>();
  async function runOrgOf(runIds: string[]): Promise<void> {
    const unknown = runIds.filter((id) => !runOrgs.has(id));
    if (unknown.length === 0) return;
    const rows = await o.db.run.findMany({ where: { id: { in: unknown } }, select: { id: true, orgId: true } });
    if (runOrgs.size > 100_000) runOrgs.clear();
    // Runs not (yet) in Postgres are not cached: they are asked again next time.
    for (const r of rows) runOrgs.set(r.id, r.orgId);
  }

  // Vehicles this copy scores for the first time may have been scored by another copy before a
  // rebalance or crash moved their partition here: their open alert episodes continue instead of
  // alerting again. One query per batch that brings new vehicles; a failure retries the batch.
  async function resumeEpisodes(batch: FeaturesMessage[]): Promise<void> {
    const fresh = batch.filter((m) => !scorer.debouncer.knows(m.runId, m.vehicleId));
    if (fresh.length === 0) return;
    const rows = await o.db.alert.findMany({
      where: {
        runId: { in: [...new Set(fresh.map((m) => m.runId))] },
        vehicleId: { in: [...new Set(fresh.map((m) => m.vehicleId))] },
      },
      select: { runId: true, vehicleId: true, modelId: true, alias: true, windowStart: true },
      orderBy: { windowStart: 'asc' },
    });
    const wanted = new Set(fresh.map((m) => `${m.runId}\u0000${m.vehicleId}`));
    // Newest first: the latest alert of each scope is resumed, older ones are then no-ops.
    for (const a of rows.reverse())
      if (wanted.has(`${a.runId}\u0000${a.vehicleId}`))
        scorer.debouncer.resume(a.runId, a.vehicleId, scopeOf(a.modelId, a.alias), a.windowStart);
  }

  let features: Consumer | null = null;
  const featuresGroup = c.groupId;
  if (o.streaming !== false) {
    features = o.kafka.consumer({ groupId: featuresGroup, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    await features.connect();
    await features.subscribe({ topic: topic(TOPICS.features, o.prefix), fromBeginning: o.fromBeginning ?? false });
    // Predictions and alerts are written inline before the batch returns, so the coordinator has
    // no chains to drain here: it commits the batch once they are acknowledged (a failed write
    // throws, kafkajs retries the batch, and nothing past it is committed).
    const coordinator = CommitCoordinator.forConsumer(features, {});
    await features.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's payload functions are closures
      eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
        const valid: { m: FeaturesMessage; raw: RawMessageRef }[] = [];
        const rejects: { raw: RawMessageRef; reason: DlqReason; error: string; orgId?: string }[] = [];
        for (const message of batch.messages) {
          const raw = rawMessageRef(batch.topic, batch.partition, message);
          const d = decodeMessage(featuresMessageSchema, message.value);
          if (d.ok) valid.push({ m: d.value, raw });
          else rejects.push({ raw, reason: d.reason, error: d.error });
        }
        // Tenant rule: a window whose run belongs to another org is refused.
        await runOrgOf([...new Set(valid.map((v) => v.m.runId))]);
        const accepted: FeaturesMessage[] = [];
        for (const { m, raw } of valid) {
          const owner = runOrgs.get(m.runId);
          if (owner && owner !== m.orgId)
            rejects.push({
              raw,
              reason: 'tenant',
              error: `run ${m.runId} does not belong to org ${m.orgId}`,
              orgId: m.orgId,
            });
          else accepted.push(m);
        }
        for (const r of rejects) {
          await sendToDlq(
            producer,
            r.raw,
            { reason: r.reason, error: r.error, consumerGroup: featuresGroup, orgId: r.orgId },
            { prefix: o.prefix, sourceTopicName: TOPICS.features },
          );
        }
        metrics.kafkaMessagesIn.inc({ topic: TOPICS.features }, accepted.length);
        if (accepted.length > 0) {
          await resumeEpisodes(accepted);
          const scored = await scorer.score(accepted);
          for (const e of scored.errors)
            log.error({ versionId: e.versionId, rows: e.rows, error: e.error }, 'scoring failed');
          for (let i = 0; i < scored.predictions.length; i += 1000) {
            await predictions.send(
              scored.predictions.slice(i, i + 1000).map((p) => ({ key: `${p.runId}:${p.vehicleId}`, value: p })),
            );
          }
          pendingAlerts.add(scored.alerts);
          // Kept for outcome metrics: an observation, not part of the answer, so a failed write
          // is logged and never holds the partition back.
          if (scored.served.length > 0)
            await recordStreamServed(o.db, scored.served).catch((err: unknown) =>
              log.warn({ err, rows: scored.served.length }, 'served predictions not recorded'),
            );
        }
        // The debouncer has already moved on: an alert that fails to be written stays pending
        // (and the batch is retried) instead of being lost. Ids are deterministic, so a retry
        // never duplicates the row, and consumers dedupe the message by id.
        const sent = await pendingAlerts.flush(async (sending) => {
          await o.db.alert.createMany({
            data: sending.map((a) => ({
              id: a.id,
              orgId: a.orgId,
              runId: a.runId,
              vehicleId: a.vehicleId,
              modelId: a.modelId,
              modelVersionId: a.modelVersionId,
              alias: a.alias,
              windowStart: a.windowStart,
              windowEnd: a.windowEnd,
              score: a.score,
              threshold: a.threshold,
            })),
            skipDuplicates: true,
          });
          await alerts.send(sending.map((a) => ({ key: a.runId, value: a })));
        });
        if (sent.length > 0)
          log.info(
            { alerts: sent.map((a) => ({ run: a.runId, vehicle: a.vehicleId, model: a.modelName, score: a.score })) },
            'alerts raised',
          );
        const last = batch.messages.at(-1);
        if (last) {
          resolveOffset(last.offset);
          await coordinator.commit([
            { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) },
          ]);
        }
        await heartbeat();
      },
    });
  }

  const sweep = setInterval(() => scorer.debouncer.sweep(15 * 60_000), 60_000);
  sweep.unref();
  const reconcile = setInterval(() => {
    registry
      .reconcile()
      .then(
        (n) =>
          n > 0 && log.warn({ aliases: n }, 'deployments changed in Postgres without a dl.models message; caught up'),
      )
      .catch((err: unknown) => log.warn({ err }, 'deployment reconcile failed'));
  }, c.reconcileS * 1000);
  reconcile.unref();
  const statsTimer = setInterval(() => {
    if (o.redis) stats.publish(o.redis, registry).catch((err: unknown) => log.warn({ err }, 'stats publish failed'));
  }, c.statsIntervalMs);
  statsTimer.unref();
  const windowTimer = setInterval(() => void windows.flush(), WINDOW_FLUSH_MS);
  windowTimer.unref();

  const auth = new ApiKeyAuth(o.db, o.redis, { cacheMs: c.authCacheMs, limit: o.rateLimit });
  let started = false;
  const server: Server = createOipServer({
    registry,
    auth,
    defaultAlias: c.aliases[0]!,
    ready: () => started,
    onServed: (id, s, rows, us) => stats.record(id, s, rows, us),
    onScored: (s, data, rows, out) => {
      // Sequence models (a history of windows per row) are not summarised; a model whose outputs
      // carry no score (one uploaded with its own outputs) is summarised on its features alone.
      if (s.info.inputShape.length !== 1) return;
      let scores: Float64Array | null;
      try {
        scores = scoresOf(s.spec, out, rows);
      } catch {
        scores = null;
      }
      windows.observe(s.info, 'oip', data, rows, scores);
    },
  });
  const httpPort = await listen(server, c.httpPort, c.host);
  started = true;
  const providersInUse = [...new Set(registry.loadedSessions().map((s) => s.provider))];
  log.info(
    {
      httpPort,
      providers: c.providers,
      providersInUse,
      gpu: adapter ? describeAdapter(adapter) : 'not looked for (no webgpu in INFERENCE_PROVIDERS)',
      aliases: c.aliases,
      deployments: [...registry.allModels()].length,
    },
    'inference worker started',
  );

  return {
    httpPort,
    registry,
    ready: () => started,
    async stop() {
      started = false;
      clearInterval(sweep);
      clearInterval(reconcile);
      clearInterval(statsTimer);
      clearInterval(windowTimer);
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
      });
      auth.close();
      await features?.disconnect();
      await models.stop();
      if (o.redis) await stats.publish(o.redis, registry).catch(() => undefined);
      await windows.flush(true);
      await producer.disconnect();
      await registry.close();
    },
  };
}
