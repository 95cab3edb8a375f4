import type { Run } from '@prisma/client';
import { AppError } from '../../errors';
import { z } from 'zod';
import { scoredKpis } from '../../contracts/run-status';
import { builtinMapIds } from '../../contracts/scenario';
import { orgMapOutline } from '../../maps/org-maps';
import { mapOutline } from '../../maps/outline';
import { cancelRun, createRun } from '../../runs/commands';
import { runHistory } from '../../runs/history';
import { objectStore } from '../../store/object-store';
import { readRecording } from '../../store/recording-reader';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);
const states = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

type RunRow = Run & { scenario: { name: string }; scenarioVersion: { version: number } };

function runSummary(r: RunRow) {
  return {
    id: r.id,
    scenarioId: r.scenarioId,
    scenarioName: r.scenario.name,
    version: r.scenarioVersion.version,
    campaignId: r.campaignId,
    params: r.params as Record<string, unknown> | null,
    state: r.state,
    progress: r.progress,
    simTime: r.simTime,
    realTimeFactor: r.realTimeFactor,
    kpis: scoredKpis(r.state, r.kpis),
    error: r.error,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export const runsRouter = createTRPCRouter({
  /** A stretch of a finished run from its recording, for replay: every vehicle, downsampled. */
  replay: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.runId, from: 0, to: 10 }) })
    .input(
      z.object({
        id,
        from: z.number().min(0),
        to: z.number().positive(),
        maxHz: z.number().positive().max(50).default(10),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (input.to <= input.from) throw new AppError('BAD_REQUEST', '"to" must be after "from"');
      const run = await ctx.db.run.findFirst({ where: { id: input.id, orgId: ctx.orgId }, select: { id: true } });
      if (!run) throw new AppError('NOT_FOUND', 'Run not found');
      const rec = await readRecording(objectStore(), ctx.orgId, run.id, {
        from: input.from,
        to: input.to,
        maxHz: input.maxHz,
      });
      if (!rec)
        throw new AppError('NOT_FOUND', 'This run has no recording (yet): the recorder writes it when the run ends.');
      return { frames: rec.frames, events: rec.events, vehicles: rec.vehicles };
    }),

  /**
   * The last minutes of one vehicle of a run from the offline feature store (closed windows), so
   * someone who opens a live run late sees its history before the live frames.
   */
  history: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.runId, vehicle: 'ego' }) })
    .input(
      z.object({
        id,
        vehicle: z.string().min(1).max(64),
        seconds: z.number().positive().max(3600).default(300),
      }),
    )
    .query(async ({ ctx, input }) => {
      const run = await ctx.db.run.findFirst({ where: { id: input.id, orgId: ctx.orgId }, select: { id: true } });
      if (!run) throw new AppError('NOT_FOUND', 'Run not found');
      return runHistory(ctx.db, ctx.orgId, run.id, input.vehicle, input.seconds);
    }),

  /**
   * The drawn road network for the bird's-eye view of live runs and replays: a built-in map, or
   * the organisation's OpenDRIVE map a scenario names (roadNetwork).
   */
  mapOutline: orgProcedure
    .meta({ minRole: 'viewer', sample: () => ({ map: 'urban_grid' }) })
    .input(
      z.object({
        map: z.enum(builtinMapIds),
        roadNetwork: z
          .object({ mapId: z.string().min(1).max(64), version: z.number().int().positive().max(1_000_000) })
          .optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (!input.roadNetwork) return mapOutline(input.map);
      const outline = await orgMapOutline(ctx.db, ctx.orgId, input.roadNetwork);
      if (!outline) throw new AppError('NOT_FOUND', 'This map (version) does not exist in this organisation.');
      return outline;
    }),

  list: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ scenarioId: ids.scenarioId }) })
    .input(
      z
        .object({
          scenarioId: id.optional(),
          campaignId: id.optional(),
          state: states.optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.run.findMany({
        where: {
          orgId: ctx.orgId,
          ...(input.scenarioId ? { scenarioId: input.scenarioId } : {}),
          ...(input.campaignId ? { campaignId: input.campaignId } : {}),
          ...(input.state ? { state: input.state } : {}),
        },
        orderBy: { createdAt: 'desc' },
        take: input.limit,
        include: { scenario: { select: { name: true } }, scenarioVersion: { select: { version: true } } },
      });
      return rows.map(runSummary);
    }),

  get: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ id: ids.runId }) })
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const r = await ctx.db.run.findFirst({
        where: { id: input.id, orgId: ctx.orgId },
        include: {
          scenario: { select: { name: true } },
          scenarioVersion: { select: { version: true, spec: true } },
          events: { orderBy: { t: 'asc' }, take: 2000 },
        },
      });
      if (!r) throw new AppError('NOT_FOUND', 'Run not found');
      return {
        ...runSummary(r),
        spec: r.scenarioVersion.spec,
        heartbeatAt: r.heartbeatAt,
        events: r.events.map((e) => ({
          id: e.id,
          t: e.t,
          type: e.type,
          vehicleId: e.vehicleId,
          data: e.data as Record<string, unknown> | null,
        })),
      };
    }),

  start: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ scenarioId: ids.scenarioId }) })
    .input(z.object({ scenarioId: id, version: z.number().int().positive().optional() }))
    .mutation(async ({ ctx, input }) => {
      const run = await createRun(ctx.db, {
        orgId: ctx.orgId,
        scenarioId: input.scenarioId,
        version: input.version,
        createdById: ctx.actor.userId ?? null,
        dispatch: true,
      });
      return { id: run.id, state: run.state };
    }),

  cancel: orgProcedure
    .meta({ minRole: 'engineer', sample: (ids) => ({ id: ids.runId }) })
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => cancelRun(ctx.db, ctx.orgId, input.id)),
});
