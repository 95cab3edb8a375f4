import type { Prisma, PrismaClient } from '@prisma/client';
import { AppError, issue } from '~/server/errors';
import { z } from 'zod';
import { OpenDriveError } from '../../maps/opendrive';
import { analyseXodr, mapNameSchema, saveOrgMap, xodrTextSchema, type MapStats } from '../../maps/org-maps';
import { XmlParseError } from '../../xml/parse';
import { createTRPCRouter, orgProcedure } from '../init';
import { builtinMapIds } from '../../contracts/scenario';
import { placeableLanes, scenarioRoadMap } from '../../maps/scenario-map';

const id = z.string().min(1).max(64);
const version = z.number().int().positive().optional();

/**
 * The organisation's map by id and the fields `select` names of one of its versions (the latest
 * when none is asked for); NOT_FOUND for another organisation's map, so ids do not leak.
 */
async function findMapVersion<S extends Prisma.OrgMapVersionSelect>(
  db: PrismaClient,
  orgId: string,
  input: { id: string; version?: number },
  select: S,
) {
  const m = await db.orgMap.findFirst({ where: { id: input.id, orgId } });
  if (!m) throw new AppError('NOT_FOUND', 'Map not found');
  const v = await db.orgMapVersion.findUnique({
    where: { mapId_version: { mapId: m.id, version: input.version ?? m.latestVersion } },
    select,
  });
  if (!v) throw new AppError('NOT_FOUND', 'Map version not found');
  return { m, v };
}

/** One version of one map: what `get` and `download` both answer for. */
const mapVersionProcedure = orgProcedure
  .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.scenarioId }) })
  .input(z.object({ id, version }));

/** An organisation's OpenDRIVE maps: upload (versioned by name), list, inspect, download. */
export const mapsRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const maps = await ctx.db.orgMap.findMany({
      where: { orgId: ctx.orgId },
      orderBy: { name: 'asc' },
      include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { stats: true, createdAt: true } } },
    });
    return maps.map((m) => ({
      id: m.id,
      name: m.name,
      latestVersion: m.latestVersion,
      stats: m.versions[0]?.stats as unknown as MapStats | undefined,
      updatedAt: m.versions[0]?.createdAt ?? m.updatedAt,
    }));
  }),

  /** One version (the latest by default) with the reader's report and the preview. */
  get: mapVersionProcedure.query(async ({ ctx, input }) => {
    const { m, v } = await findMapVersion(ctx.db, ctx.orgId, input, {
      version: true,
      sha256: true,
      report: true,
      stats: true,
      previewSvg: true,
      createdAt: true,
    });
    return {
      id: m.id,
      name: m.name,
      latestVersion: m.latestVersion,
      ...v,
      report: v.report as string[],
      stats: v.stats as unknown as MapStats,
    };
  }),

  download: mapVersionProcedure.query(async ({ ctx, input }) => {
    const { m, v } = await findMapVersion(ctx.db, ctx.orgId, input, { version: true, xodr: true });
    return { filename: `${m.name}.xodr`, version: v.version, xodr: v.xodr };
  }),

  /**
   * The lanes of a built-in map or of one version of the organisation's map, for placing the
   * ego, traffic and route destinations by lane in the studio.
   */
  lanes: orgProcedure
    .meta({ minRole: 'viewer', sample: () => ({ map: 'urban_grid' }) })
    .input(
      z.object({
        map: z.enum(builtinMapIds),
        roadNetwork: z.object({ mapId: id, version: z.number().int().positive().max(1_000_000) }).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const map = await scenarioRoadMap(ctx.db, ctx.orgId, {
        map: input.map,
        ...(input.roadNetwork ? { roadNetwork: { ...input.roadNetwork, name: '' } } : {}),
      });
      if (!map) throw new AppError('NOT_FOUND', 'Map version not found');
      return placeableLanes(map);
    }),

  /** Uploads an .xodr under a name; the same name again makes a new version. */
  upload: orgProcedure
    .meta({ minRole: 'engineer', sample: () => ({ name: 'Town01', xodr: '<OpenDRIVE/>' }) })
    .input(z.object({ name: mapNameSchema, xodr: xodrTextSchema }))
    .mutation(async ({ ctx, input }) => {
      let analysed;
      try {
        analysed = analyseXodr(input.xodr);
      } catch (err) {
        if (err instanceof OpenDriveError || err instanceof XmlParseError) {
          const message = `Not a usable OpenDRIVE file: ${err.message}`;
          const code = err instanceof OpenDriveError ? err.code : 'invalid_xml';
          throw new AppError('BAD_REQUEST', message, { issues: [issue('xodr', code, message)] });
        }
        throw err;
      }
      if (analysed.stats.roads === 0) throw new AppError('BAD_REQUEST', 'Not a usable OpenDRIVE file: it has no roads');
      const saved = await saveOrgMap(
        ctx.db,
        { orgId: ctx.orgId, name: input.name, xodr: input.xodr, createdById: ctx.actor.userId ?? null },
        analysed,
      );
      return { ...saved, report: analysed.report, stats: analysed.stats };
    }),
});
