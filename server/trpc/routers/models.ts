import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors';
import { z } from 'zod';
import { hasRole, type Role } from '../../auth/roles';
import { aliasNameSchema } from '../../contracts/models';
import { aliasMoveMinRole, moveAlias, type AliasMove } from '../../models/aliases';
import { metricGateSchema } from '../../models/gate';
import { buildLineage, mainMetric } from '../../models/lineage';
import { readOnnxMetadata } from '../../models/onnx-metadata';
import { ARTIFACT_FILES, asMetrics, downloadPath, listModels } from '../../models/queries';
import { artifactKey, getJson, getObject } from '../../models/registry';
import { objectStore } from '../../store/object-store';
import { outcomeReport } from '../../outcomes/evaluate';
import { setAutoRollback, setShadow } from '../../outcomes/policy';
import { createTRPCRouter, orgProcedure, type TRPCContext } from '../init';

const id = z.string().min(1).max(64);
const HISTORY_LIMIT = 200;

type MoveCtx = Pick<TRPCContext, 'db' | 'ip'> & {
  orgId: string;
  role: Role;
  actor: { userId?: string; apiKeyId?: string; label: string };
};

async function move(ctx: MoveCtx, m: AliasMove) {
  const need = aliasMoveMinRole(m);
  if (!hasRole(ctx.role, need)) {
    const what = m.action === 'canary' || m.action === 'canary_clear' ? 'Canaries' : `Moving "${m.alias}"`;
    throw new AppError('FORBIDDEN', `${what} needs the ${need} role; you are ${ctx.role}.`);
  }
  return moveAlias(ctx.db, { orgId: ctx.orgId, actor: ctx.actor, ip: ctx.ip }, m);
}

async function readJson(key: string | null): Promise<unknown> {
  return key ? getJson(objectStore(), key) : null;
}

/**
 * The rows behind a version's lineage graph (dataset → job → version → aliases), each looked up
 * with the caller's orgId so a stray id from another org resolves to nothing.
 */
async function lineageRecords(
  db: PrismaClient,
  orgId: string,
  v: { id: string; modelId: string; experimentRunId: string | null },
) {
  const run = v.experimentRunId
    ? await db.experimentRun.findFirst({
        where: { id: v.experimentRunId, orgId },
        select: { id: true, name: true, experimentId: true, jobId: true, datasetVersionId: true, metrics: true },
      })
    : null;
  const [job, datasetVersion, aliases] = await Promise.all([
    db.trainingJob.findFirst({
      where: {
        orgId,
        OR: [
          { modelVersionId: v.id },
          ...(run ? [{ experimentRunId: run.id }] : []),
          ...(run?.jobId ? [{ id: run.jobId }] : []),
        ],
      },
      select: { id: true, kind: true, state: true, createdAt: true, finishedAt: true, backend: true, epoch: true },
    }),
    run
      ? db.datasetVersion.findFirst({
          where: { id: run.datasetVersionId, orgId },
          select: {
            id: true,
            version: true,
            rowCount: true,
            groupCount: true,
            fingerprint: true,
            labelKind: true,
            createdAt: true,
            dataset: { select: { id: true, name: true } },
          },
        })
      : null,
    db.modelAlias.findMany({
      where: { orgId, modelId: v.modelId, OR: [{ versionId: v.id }, { canaryVersionId: v.id }] },
      select: { name: true, versionId: true, canaryWeight: true, updatedAt: true },
      orderBy: { name: 'asc' },
    }),
  ]);
  return {
    run: run ? { id: run.id, name: run.name, experimentId: run.experimentId } : null,
    job,
    dataset: datasetVersion
      ? {
          id: datasetVersion.dataset.id,
          name: datasetVersion.dataset.name,
          versionId: datasetVersion.id,
          version: datasetVersion.version,
          rowCount: datasetVersion.rowCount,
          groupCount: datasetVersion.groupCount,
          fingerprint: datasetVersion.fingerprint,
          labelKind: datasetVersion.labelKind,
          createdAt: datasetVersion.createdAt,
        }
      : null,
    aliases: aliases.map((a) => ({
      name: a.name,
      canary: a.versionId !== v.id,
      canaryWeight: a.canaryWeight,
      updatedAt: a.updatedAt,
    })),
  };
}

export const modelsRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const models = await listModels(ctx.db, ctx.orgId, { versions: 'latest' });
    const rows = models.map(({ versions, ...m }) => ({
      ...m,
      latest: versions[0] ?? null,
      mainMetric: mainMetric(m.kind, Object.keys(versions[0]?.metrics ?? {})),
    }));
    // Newest activity first: a model's latest version, or its creation when it has none.
    const at = (r: (typeof rows)[number]) => (r.latest?.createdAt ?? r.createdAt).getTime();
    return rows.sort((x, y) => at(y) - at(x));
  }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.modelId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const [m] = await listModels(ctx.db, ctx.orgId, { versions: 'all', id: input.id });
      if (!m) throw new AppError('NOT_FOUND', 'Model not found');
      const events = await ctx.db.modelAliasEvent.findMany({
        where: { orgId: ctx.orgId, modelId: m.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: HISTORY_LIMIT,
      });
      const numberOf = new Map(m.versions.map((v) => [v.id, v.version]));
      const n = (vid: string | null) => (vid ? (numberOf.get(vid) ?? null) : null);
      const names = new Set(m.versions.flatMap((v) => Object.keys(v.metrics)));
      return {
        ...m,
        mainMetric: mainMetric(m.kind, names),
        metricNames: [...names].sort(),
        history: events.map((e) => ({
          id: e.id,
          alias: e.alias,
          action: e.action,
          fromVersion: n(e.fromVersionId),
          toVersion: n(e.toVersionId),
          canaryVersion: n(e.canaryVersionId),
          canaryWeight: e.canaryWeight,
          actorLabel: e.actorLabel,
          data: (e.data ?? null) as Record<string, string | number | null> | null,
          createdAt: e.createdAt,
        })),
      };
    }),

  versions: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ modelId: ids.modelId }) })
    .input(z.object({ modelId: id }))
    .query(async ({ ctx, input }) => {
      const [m] = await listModels(ctx.db, ctx.orgId, { versions: 'all', id: input.modelId });
      if (!m) throw new AppError('NOT_FOUND', 'Model not found');
      return m.versions.map((v) => ({
        ...v,
        aliases: m.aliases.filter((a) => a.versionId === v.id).map((a) => a.name),
        canaryOf: m.aliases.filter((a) => a.canaryVersionId === v.id).map((a) => a.name),
      }));
    }),

  /** One version in full: lineage, the sidecar's facts, feature list and download links. */
  version: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.modelVersionId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const v = await ctx.db.modelVersion.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { model: { select: { id: true, name: true } } },
      });
      if (!v) throw new AppError('NOT_FOUND', 'Model version not found');
      const sidecar = await readJson(v.sidecarKey);
      const graph = await lineageRecords(ctx.db, ctx.orgId, v);
      const reference = (await readJson(artifactKey(ctx.orgId, v.model.id, v.version, 'reference.json'))) as {
        importance?: { feature: string; importance: number; std: number }[];
        importanceMetric?: string;
      } | null;
      let onnxMeta: Record<string, string> = {};
      let onnxBytes: number | null = null;
      const onnx = await getObject(objectStore(), v.onnxKey);
      if (onnx) {
        onnxBytes = onnx.byteLength;
        try {
          onnxMeta = readOnnxMetadata(onnx);
        } catch {
          onnxMeta = {};
        }
      }
      const s = (sidecar ?? {}) as {
        normalisation?: { mean?: number[]; std?: number[] };
        outputs?: { name: string; description?: string }[];
        classes?: string[];
        windowLength?: number;
        target?: { name?: string };
      };
      return {
        id: v.id,
        modelId: v.model.id,
        modelName: v.model.name,
        version: v.version,
        kind: v.kind,
        metrics: asMetrics(v.metrics),
        threshold: v.threshold,
        inputShape: v.inputShape,
        outputShape: v.outputShape,
        createdAt: v.createdAt,
        features: v.featureNames.map((name, i) => ({
          name,
          mean: s.normalisation?.mean?.[i] ?? null,
          std: s.normalisation?.std?.[i] ?? null,
        })),
        outputs: (s.outputs ?? []).map((o) => ({ name: o.name, description: o.description ?? '' })),
        classes: s.classes ?? null,
        windowLength: s.windowLength ?? null,
        target: s.target?.name ?? null,
        // Global permutation importance from registration: how much the loss grows when the feature is shuffled.
        importance: reference?.importance
          ? { metric: reference.importanceMetric ?? 'loss', features: reference.importance }
          : null,
        lineage: buildLineage(v.experimentRunId, sidecar, onnxMeta),
        graph,
        onnxBytes,
        downloads: ARTIFACT_FILES.filter((f) => f !== 'tfjs.json' || v.tfjsKey).map((file) => ({
          file,
          href: downloadPath(v.model.id, v.version, file),
        })),
      };
    }),

  promote: orgProcedure
    .meta({
      minRole: 'engineer',
      sample: (ids) => ({ modelId: ids.modelId, versionId: ids.modelVersionId, alias: 'staging' }),
    })
    .input(z.object({ modelId: id, versionId: id, alias: aliasNameSchema, gate: metricGateSchema.nullish() }))
    .mutation(({ ctx, input }) =>
      move(ctx, {
        action: 'promote',
        modelId: input.modelId,
        alias: input.alias,
        versionId: input.versionId,
        gate: input.gate ?? null,
      }),
    ),

  rollback: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ modelId: ids.modelId, alias: 'staging' }) })
    .input(z.object({ modelId: id, alias: aliasNameSchema }))
    .mutation(({ ctx, input }) => move(ctx, { action: 'rollback', modelId: input.modelId, alias: input.alias })),

  setCanary: orgProcedure
    .meta({
      minRole: 'admin',
      sample: (ids) => ({ modelId: ids.modelId, alias: 'staging', versionId: ids.modelVersionId, weight: 0.1 }),
    })
    .input(
      z.object({
        modelId: id,
        alias: aliasNameSchema,
        versionId: id,
        weight: z.number().min(0, 'The weight is a share from 0 to 1').max(1, 'The weight is a share from 0 to 1'),
      }),
    )
    .mutation(({ ctx, input }) =>
      move(ctx, {
        action: 'canary',
        modelId: input.modelId,
        alias: input.alias,
        canaryVersionId: input.versionId,
        weight: input.weight,
      }),
    ),

  clearCanary: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ modelId: ids.modelId, alias: 'staging' }) })
    .input(z.object({ modelId: id, alias: aliasNameSchema }))
    .mutation(({ ctx, input }) => move(ctx, { action: 'canary_clear', modelId: input.modelId, alias: input.alias })),

  deleteAlias: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ modelId: ids.modelId, alias: 'staging' }) })
    .input(z.object({ modelId: id, alias: aliasNameSchema }))
    .mutation(({ ctx, input }) => move(ctx, { action: 'delete', modelId: input.modelId, alias: input.alias })),

  /** Per-variant outcome metrics of an alias and the sequential tests (serving page). */
  outcomes: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ modelId: ids.modelId, alias: 'production' }) })
    .input(z.object({ modelId: id, alias: aliasNameSchema }))
    .query(({ ctx, input }) => outcomeReport(ctx.db, ctx.orgId, input.modelId, input.alias)),

  setShadow: orgProcedure
    .meta({
      minRole: 'admin',
      sample: (ids) => ({ modelId: ids.modelId, alias: 'staging', versionId: ids.modelVersionId }),
    })
    .input(z.object({ modelId: id, alias: aliasNameSchema, versionId: id.nullable() }))
    .mutation(({ ctx, input }) => setShadow(ctx.db, { orgId: ctx.orgId, actor: ctx.actor, ip: ctx.ip }, input)),

  setAutoRollback: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ modelId: ids.modelId, alias: 'staging', autoRollback: true }) })
    .input(z.object({ modelId: id, alias: aliasNameSchema, autoRollback: z.boolean() }))
    .mutation(({ ctx, input }) => setAutoRollback(ctx.db, { orgId: ctx.orgId, actor: ctx.actor, ip: ctx.ip }, input)),
});
