import { AppError } from '../../errors';
import { z } from 'zod';
import { offlineDatasetSpecSchema } from '../../contracts/training';
import { createOfflineDatasetVersion, rebuildDataset } from '../../training/datasets';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);

/** Datasets: versions built from the offline store or uploaded (upload itself: POST /api/v1/datasets/upload). */
export const datasetsRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.dataset.findMany({
      where: { orgId: ctx.orgId },
      orderBy: { updatedAt: 'desc' },
      take: 200,
      include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
    });
    return rows.map((d) => {
      const v = d.versions[0];
      return {
        id: d.id,
        name: d.name,
        description: d.description,
        source: d.source,
        latestVersion: d.latestVersion,
        updatedAt: d.updatedAt,
        latest: v
          ? {
              id: v.id,
              version: v.version,
              rowCount: v.rowCount,
              groupCount: v.groupCount,
              groupBy: v.groupBy,
              labelKind: v.labelKind,
              labelName: v.labelName,
              classes: v.classes,
              featureCount: v.featureNames.length,
              fingerprint: v.fingerprint,
              createdAt: v.createdAt,
            }
          : null,
      };
    });
  }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.datasetId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const d = await ctx.db.dataset.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { versions: { orderBy: { version: 'desc' } } },
      });
      if (!d) throw new AppError('NOT_FOUND', 'Dataset not found');
      return {
        id: d.id,
        name: d.name,
        description: d.description,
        source: d.source,
        latestVersion: d.latestVersion,
        createdAt: d.createdAt,
        versions: d.versions.map((v) => ({
          id: v.id,
          version: v.version,
          spec: v.spec as Record<string, unknown>,
          fingerprint: v.fingerprint,
          featureNames: v.featureNames,
          labelKind: v.labelKind,
          labelName: v.labelName,
          classes: v.classes,
          groupBy: v.groupBy,
          rowCount: v.rowCount,
          groupCount: v.groupCount,
          stats: v.stats as Record<string, unknown>,
          createdAt: v.createdAt,
        })),
      };
    }),

  /** A new version from chosen runs or a campaign: windows of the offline store, labels from fault events. */
  createFromRuns: orgProcedure
    .meta({
      minRole: 'engineer',
      sample: (ids) => ({ name: 'isolation probe', spec: { source: 'offline', runIds: [ids.runId] } }),
    })
    .input(
      z.object({
        name: z.string().trim().min(1).max(100),
        description: z.string().max(500).optional(),
        spec: offlineDatasetSpecSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const v = await createOfflineDatasetVersion(ctx.db, {
        orgId: ctx.orgId,
        name: input.name,
        description: input.description,
        spec: input.spec,
        createdById: ctx.actor.userId ?? null,
      });
      return {
        datasetId: v.datasetId,
        versionId: v.id,
        version: v.version,
        rowCount: v.rowCount,
        groupCount: v.groupCount,
        fingerprint: v.fingerprint,
        stats: v.stats as Record<string, unknown>,
      };
    }),

  /** The next version of a dataset from the newest data (a campaign's new runs, or the kept upload). */
  rebuild: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.datasetId }) })
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const v = await rebuildDataset(ctx.db, ctx.orgId, input.id);
      return {
        datasetId: v.datasetId,
        versionId: v.id,
        version: v.version,
        rowCount: v.rowCount,
        fingerprint: v.fingerprint,
      };
    }),
});
