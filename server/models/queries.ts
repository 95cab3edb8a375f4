import type { PrismaClient } from '@prisma/client';
import { aliasNameSchema } from '../contracts/models';

/**
 * Registry reads shared by the tRPC router and REST. Every query filters by orgId; callers never
 * pass an id without the org it must belong to.
 */
export type Metrics = Record<string, number | null>;

export function asMetrics(json: unknown): Metrics {
  const out: Metrics = {};
  if (!json || typeof json !== 'object' || Array.isArray(json)) return out;
  for (const [k, v] of Object.entries(json)) out[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return out;
}

export const ARTIFACT_FILES = ['model.onnx', 'sidecar.json', 'tfjs.json'] as const;
export type ArtifactFile = (typeof ARTIFACT_FILES)[number];

export function downloadPath(model: string, version: number | string, file: ArtifactFile): string {
  return `/api/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(String(version))}/${file}`;
}

export async function listModels(
  db: PrismaClient,
  orgId: string,
  options: { versions: 'latest' | 'all'; name?: string; id?: string },
) {
  const rows = await db.registeredModel.findMany({
    where: { orgId, ...(options.name ? { name: options.name } : {}), ...(options.id ? { id: options.id } : {}) },
    orderBy: { updatedAt: 'desc' },
    include: {
      versions: { orderBy: { version: 'desc' }, ...(options.versions === 'latest' ? { take: 1 } : {}) },
      aliases: { orderBy: { name: 'asc' } },
      _count: { select: { versions: true } },
    },
  });
  // Alias targets may be older than the versions fetched; resolve their numbers in one query.
  const targetIds = [
    ...new Set(
      rows.flatMap((m) => m.aliases.flatMap((a) => [a.versionId, a.canaryVersionId]).filter((x): x is string => !!x)),
    ),
  ];
  const targets = targetIds.length
    ? await db.modelVersion.findMany({ where: { orgId, id: { in: targetIds } }, select: { id: true, version: true } })
    : [];
  const numberOf = new Map(targets.map((t) => [t.id, t.version]));
  return rows.map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    description: m.description,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    versionCount: m._count.versions,
    versions: m.versions.map((v) => ({
      id: v.id,
      version: v.version,
      kind: v.kind,
      metrics: asMetrics(v.metrics),
      threshold: v.threshold,
      featureNames: v.featureNames,
      inputShape: v.inputShape,
      outputShape: v.outputShape,
      experimentRunId: v.experimentRunId,
      createdAt: v.createdAt,
      hasTfjs: v.tfjsKey !== null,
    })),
    aliases: m.aliases.map((a) => ({
      name: a.name,
      versionId: a.versionId,
      version: numberOf.get(a.versionId) ?? null,
      canaryVersionId: a.canaryVersionId,
      canaryVersion: a.canaryVersionId ? (numberOf.get(a.canaryVersionId) ?? null) : null,
      canaryWeight: a.canaryWeight,
      updatedAt: a.updatedAt,
    })),
  }));
}

/**
 * A version by model (id or name) and version (number or alias name), as the download routes and
 * the fleet address them: /models/rul-cnn/versions/production/model.onnx.
 */
export async function resolveVersion(db: PrismaClient, orgId: string, model: string, version: string) {
  const m = await db.registeredModel.findFirst({
    where: { orgId, OR: [{ id: model }, { name: model }] },
    select: { id: true, name: true },
  });
  if (!m) return null;
  if (/^\d{1,9}$/.test(version)) {
    const v = await db.modelVersion.findFirst({ where: { orgId, modelId: m.id, version: Number(version) } });
    return v ? { model: m, version: v } : null;
  }
  if (!aliasNameSchema.safeParse(version).success) return null;
  const alias = await db.modelAlias.findUnique({ where: { modelId_name: { modelId: m.id, name: version } } });
  if (!alias || alias.orgId !== orgId) return null;
  const v = await db.modelVersion.findFirst({ where: { orgId, id: alias.versionId } });
  return v ? { model: m, version: v } : null;
}
