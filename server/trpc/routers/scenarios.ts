import type { Prisma } from '@prisma/client';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { formatScenarioError, scenarioPresets, scenarioSchema, type ScenarioPresetId } from '../../contracts/scenario';
import { exportXosc, importXosc, XmlParseError, XoscImportError } from '../../interop/openscenario';
import { createScenarioWithFirstVersion } from '../../scenarios/create';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);
const presetIds = Object.keys(scenarioPresets) as [ScenarioPresetId, ...ScenarioPresetId[]];

/** Validates a scenario spec with its contract; problems come back as one readable BAD_REQUEST. */
function parseSpec(spec: unknown) {
  const r = scenarioSchema.safeParse(spec);
  if (!r.success)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Invalid scenario: ${formatScenarioError(r.error)}`,
      cause: r.error,
    });
  return r.data;
}

const MAX_XOSC_BYTES = 2 * 1024 * 1024;

export const scenariosRouter = createTRPCRouter({
  /** OpenSCENARIO 1.0 for CARLA ScenarioRunner, valid against the ASAM schema. */
  exportXosc: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.scenarioId }) })
    .input(z.object({ id, version: z.number().int().positive().optional() }))
    .query(async ({ ctx, input }) => {
      const s = await ctx.db.scenario.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        select: { name: true, latestVersion: true },
      });
      if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario not found' });
      const v = await ctx.db.scenarioVersion.findUnique({
        where: { scenarioId_version: { scenarioId: input.id, version: input.version ?? s.latestVersion } },
      });
      if (!v) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario version not found' });
      const slug =
        s.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'scenario';
      return {
        filename: `${slug}-v${v.version}.xosc`,
        xml: exportXosc(scenarioSchema.parse(v.spec), { date: new Date() }),
      };
    }),

  /** Imports a .xosc; what DriveLab does not model is listed back, never dropped silently. */
  importXosc: orgProcedure
    .meta({ minRole: 'engineer', sample: () => ({ xml: '<OpenSCENARIO/>' }) })
    .input(
      z.object({
        xml: z.string().min(1, 'The file is empty').max(MAX_XOSC_BYTES, 'The file is larger than 2 MiB'),
        name: z.string().trim().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      let imported;
      try {
        imported = importXosc(input.xml);
      } catch (err) {
        if (err instanceof XmlParseError || err instanceof XoscImportError)
          throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
        throw err;
      }
      const name = input.name ?? imported.scenario.name;
      const spec = parseSpec({ ...imported.scenario, name });
      const description = imported.unsupported.length
        ? `Imported from OpenSCENARIO; not modelled: ${imported.unsupported.length} element(s).`
        : 'Imported from OpenSCENARIO.';
      const created = await createScenarioWithFirstVersion(ctx.db, {
        orgId: ctx.orgId,
        name,
        description,
        spec,
        createdById: ctx.actor.userId ?? null,
      });
      return { id: created.id, name, unsupported: imported.unsupported, notes: imported.notes };
    }),

  presets: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(() =>
    Object.entries(scenarioPresets).map(([presetId, spec]) => ({
      id: presetId,
      name: spec.name,
      map: spec.map,
      durationS: spec.durationS,
      faults: spec.faults.map((f) => f.type),
      spec,
    })),
  ),

  list: orgProcedure
    .meta({ minRole: 'viewer', sample: () => ({}) })
    .input(z.object({ includeArchived: z.boolean().default(false) }).default({ includeArchived: false }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.scenario.findMany({
        where: { orgId: ctx.orgId, ...(input.includeArchived ? {} : { archivedAt: null }) },
        orderBy: { updatedAt: 'desc' },
        include: {
          versions: { orderBy: { version: 'desc' }, take: 1, select: { spec: true } },
          _count: { select: { runs: true } },
        },
      });
      return rows.map((s) => {
        const spec = scenarioSchema.parse(s.versions[0]?.spec ?? {});
        return {
          id: s.id,
          name: s.name,
          description: s.description,
          latestVersion: s.latestVersion,
          archived: s.archivedAt !== null,
          updatedAt: s.updatedAt,
          runs: s._count.runs,
          map: spec.map,
          durationS: spec.durationS,
          faults: spec.faults.length,
          vehicles: spec.traffic.vehicles,
        };
      });
    }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.scenarioId }) })
    .input(z.object({ id, version: z.number().int().positive().optional() }))
    .query(async ({ ctx, input }) => {
      const s = await ctx.db.scenario.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: {
          versions: { orderBy: { version: 'desc' }, select: { id: true, version: true, createdAt: true, spec: true } },
        },
      });
      if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario not found' });
      const current = s.versions.find((v) => v.version === (input.version ?? s.latestVersion));
      if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: `Version ${input.version} not found` });
      return {
        id: s.id,
        name: s.name,
        description: s.description,
        archived: s.archivedAt !== null,
        latestVersion: s.latestVersion,
        version: current.version,
        spec: scenarioSchema.parse(current.spec),
        versions: s.versions.map((v) => ({ version: v.version, createdAt: v.createdAt })),
      };
    }),

  create: orgProcedure
    .meta({ minRole: 'engineer', sample: () => ({ name: 'sample', presetId: 'highway_cruise' }) })
    .input(
      z.object({
        name: z.string().trim().min(1, 'Name the scenario').max(200),
        description: z.string().max(2000).optional(),
        presetId: z.enum(presetIds).optional(),
        spec: z.unknown().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const base = input.spec ?? (input.presetId ? scenarioPresets[input.presetId] : {});
      const spec = parseSpec({ ...base, name: input.name });
      const created = await createScenarioWithFirstVersion(ctx.db, {
        orgId: ctx.orgId,
        name: input.name,
        description: input.description ?? null,
        spec,
        createdById: ctx.actor.userId ?? null,
      });
      return { id: created.id, version: 1 };
    }),

  /** Editing never changes a version: it adds one, so runs keep the scenario they ran. */
  update: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.scenarioId, spec: {} }) })
    .input(
      z.object({
        id,
        name: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(2000).nullable().optional(),
        spec: z.unknown(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return ctx.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Scenario" WHERE id = ${input.id} AND "orgId" = ${ctx.orgId} FOR UPDATE`;
        const s = await tx.scenario.findFirst({ where: { id: input.id, orgId: ctx.orgId } });
        if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario not found' });
        const name = input.name ?? s.name;
        const spec = parseSpec({ ...(input.spec as object), name });
        const version = s.latestVersion + 1;
        await tx.scenarioVersion.create({
          data: {
            orgId: ctx.orgId,
            scenarioId: s.id,
            version,
            spec: spec,
            createdById: ctx.actor.userId ?? null,
          },
        });
        await tx.scenario.update({
          where: { id: s.id },
          data: {
            latestVersion: version,
            name,
            ...(input.description !== undefined ? { description: input.description } : {}),
          },
        });
        return { id: s.id, version };
      });
    }),

  duplicate: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.scenarioId }) })
    .input(z.object({ id, name: z.string().trim().min(1).max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const s = await ctx.db.scenario.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
      });
      if (!s || !s.versions[0]) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario not found' });
      const name = input.name ?? `${s.name} (copy)`;
      const spec = parseSpec({ ...(s.versions[0].spec as object), name });
      const created = await createScenarioWithFirstVersion(ctx.db, {
        orgId: ctx.orgId,
        name,
        description: s.description,
        spec,
        createdById: ctx.actor.userId ?? null,
      });
      return { id: created.id, version: 1 };
    }),

  setArchived: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.scenarioId, archived: true }) })
    .input(z.object({ id, archived: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const r = await ctx.db.scenario.updateMany({
        where: { id: input.id, orgId: ctx.orgId },
        data: { archivedAt: input.archived ? new Date() : null },
      });
      if (r.count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'Scenario not found' });
      return { id: input.id, archived: input.archived };
    }),
});
