import { AppError } from '../../errors';
import { z } from 'zod';
import { mergeStats, quantileUs, statsKey, versionStatsSchema, type VersionStats } from '../../inference/stats';
import { explainAlert } from '../../explain/alert';
import { servingCache } from '../../inference/serving';
import { redis } from '../../store/redis';
import { createTRPCRouter, orgProcedure } from '../init';

/** Stats older than this come from a worker copy that stopped. */
const STATS_FRESH_MS = 30_000;

export const inferenceRouter = createTRPCRouter({
  /** A run's alerts (oldest first), with the model's name, for the run view's event timeline. */
  runAlerts: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ runId: ids.runId }) })
    .input(z.object({ runId: z.string().min(1).max(64) }))
    .query(async ({ ctx, input }) => {
      const run = await ctx.db.run.findFirst({ where: { id: input.runId, orgId: ctx.orgId }, select: { id: true } });
      if (!run) throw new AppError('NOT_FOUND', 'Run not found');
      const alerts = await ctx.db.alert.findMany({
        where: { runId: run.id, orgId: ctx.orgId },
        orderBy: { windowStart: 'asc' },
        take: 500,
      });
      const names = await modelNames(
        ctx.db,
        ctx.orgId,
        alerts.map((a) => a.modelId),
      );
      return alerts.map((a) => ({
        id: a.id,
        vehicleId: a.vehicleId,
        modelName: names.get(a.modelId) ?? a.modelId,
        alias: a.alias,
        windowStart: a.windowStart,
        windowEnd: a.windowEnd,
        score: a.score,
        threshold: a.threshold,
        createdAt: a.createdAt,
      }));
    }),

  /** Why an alert fired: the top features of its window, with their values and KernelSHAP contributions. */
  alertWhy: orgProcedure
    .meta({ minRole: 'viewer', sample: () => ({ alertId: 'no-such-alert' }) })
    .input(z.object({ alertId: z.string().min(1).max(64) }))
    .query(async ({ ctx, input }) => explainAlert(ctx.db, await servingCache(), ctx.orgId, input.alertId)),

  /** Alert counts for the fleet overview: last 24 h, per run in flight, and the latest few. */
  alertSummary: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const since = new Date(Date.now() - 24 * 3600_000);
    const [total, byRun, latest] = await Promise.all([
      ctx.db.alert.count({ where: { orgId: ctx.orgId, createdAt: { gte: since } } }),
      ctx.db.alert.groupBy({
        by: ['runId'],
        where: { orgId: ctx.orgId, createdAt: { gte: since } },
        _count: { _all: true },
      }),
      ctx.db.alert.findMany({
        where: { orgId: ctx.orgId, createdAt: { gte: since } },
        orderBy: { createdAt: 'desc' },
        take: 10,
      }),
    ]);
    const names = await modelNames(
      ctx.db,
      ctx.orgId,
      latest.map((a) => a.modelId),
    );
    return {
      last24h: total,
      byRun: Object.fromEntries(byRun.map((r) => [r.runId, r._count._all])),
      latest: latest.map((a) => ({
        id: a.id,
        runId: a.runId,
        vehicleId: a.vehicleId,
        modelName: names.get(a.modelId) ?? a.modelId,
        score: a.score,
        threshold: a.threshold,
        windowStart: a.windowStart,
        at: a.createdAt,
      })),
    };
  }),

  /**
   * Serving monitor: every deployment of the org (alias → baseline and canary) with the live
   * per-version numbers the inference workers publish (requests, rows, errors, batch sizes,
   * request and queue latency quantiles), so canary and baseline can be compared side by side.
   */
  monitoring: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const aliases = await ctx.db.modelAlias.findMany({
      where: { orgId: ctx.orgId },
      include: { model: { select: { name: true, kind: true } } },
      orderBy: [{ modelId: 'asc' }, { name: 'asc' }],
    });
    const versionIds = [
      ...new Set(aliases.flatMap((a) => [a.versionId, ...(a.canaryVersionId ? [a.canaryVersionId] : [])])),
    ];
    const versions = await ctx.db.modelVersion.findMany({
      where: { id: { in: versionIds }, orgId: ctx.orgId },
      select: { id: true, version: true, threshold: true, metrics: true },
    });
    let raw: Record<string, string> = {};
    let statsError: string | null = null;
    try {
      raw = await redis().hgetall(statsKey(ctx.orgId));
    } catch (err) {
      statsError = (err as Error).message;
    }
    const now = Date.now();
    const snaps: VersionStats[] = [];
    for (const v of Object.values(raw)) {
      const p = versionStatsSchema.safeParse(JSON.parse(v));
      if (p.success && p.data.orgId === ctx.orgId && now - p.data.at < STATS_FRESH_MS) snaps.push(p.data);
    }
    const stats = new Map(mergeStats(snaps).map((s) => [s.versionId, s]));
    const describe = (versionId: string) => {
      const v = versions.find((x) => x.id === versionId);
      const s = stats.get(versionId);
      return {
        versionId,
        version: v?.version ?? null,
        threshold: v?.threshold ?? null,
        live: s
          ? {
              provider: s.provider,
              providerFallback: s.providerFallback ?? null,
              predictions: s.predictions,
              httpRequests: s.httpRequests,
              streamRows: s.streamRows,
              errors: s.errors,
              batches: s.batches,
              meanBatchRows: s.batches ? s.batchRows / s.batches : null,
              requestUs: {
                p50: quantileUs(s.requestUs, 0.5),
                p95: quantileUs(s.requestUs, 0.95),
                p99: quantileUs(s.requestUs, 0.99),
              },
              queueUs: {
                p50: quantileUs(s.queueUs, 0.5),
                p95: quantileUs(s.queueUs, 0.95),
                p99: quantileUs(s.queueUs, 0.99),
              },
              requestHistogram: s.requestUs,
              since: s.since,
              at: s.at,
            }
          : null,
      };
    };
    return {
      statsError,
      workersReporting: new Set(Object.keys(raw).map((k) => k.split('|')[1])).size,
      deployments: aliases.map((a) => ({
        modelId: a.modelId,
        modelName: a.model.name,
        kind: a.model.kind,
        alias: a.name,
        canaryWeight: a.canaryVersionId ? a.canaryWeight : 0,
        baseline: describe(a.versionId),
        canary: a.canaryVersionId ? describe(a.canaryVersionId) : null,
        updatedAt: a.updatedAt,
      })),
    };
  }),
});

async function modelNames(
  db: {
    registeredModel: {
      findMany: (a: {
        where: { id: { in: string[] }; orgId: string };
        select: { id: true; name: true };
      }) => Promise<{ id: string; name: string }[]>;
    };
  },
  orgId: string,
  ids: string[],
) {
  const rows = await db.registeredModel.findMany({
    where: { id: { in: [...new Set(ids)] }, orgId },
    select: { id: true, name: true },
  });
  return new Map(rows.map((r) => [r.id, r.name]));
}
