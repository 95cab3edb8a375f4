import { scoredKpis } from '../../contracts/run-status';
import { env } from '../../env';
import { createKafka } from '../../kafka/client';
import { PipelineProbe, throughput, type PipelineSnapshot } from '../../kafka/pipeline';
import { FEATURE_SET } from '../../contracts/features';
import { listOnlineVehicles, readOnlineFeaturesMany } from '../../store/online-features';
import { redis } from '../../store/redis';
import { createTRPCRouter, orgProcedure } from '../init';

/** The features the fleet overview shows per vehicle (the online store holds all of them). */
export const FLEET_FEATURES = [
  'speed_mean',
  'engine_temp_mean',
  'engine_temp_slope',
  'brake_pressure_max',
  'tire_pressure_min',
  'lead_ttc_min',
  'missing_frame_ratio',
  'stuck_sensor',
] as const;

const globalForFleet = globalThis as typeof globalThis & {
  drivelabFleetProbe?: PipelineProbe;
  drivelabLastPipeline?: PipelineSnapshot;
};

export const fleetRouter = createTRPCRouter({
  /** What the org has in flight now, and how its last day went. */
  overview: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const since = new Date(Date.now() - 24 * 3600_000);
    const [active, recent, byState, events] = await Promise.all([
      ctx.db.run.findMany({
        where: { orgId: ctx.orgId, state: { in: ['queued', 'running'] } },
        orderBy: { createdAt: 'desc' },
        take: 50,
        include: { scenario: { select: { name: true } } },
      }),
      ctx.db.run.findMany({
        where: { orgId: ctx.orgId, state: { in: ['completed', 'failed', 'cancelled'] }, finishedAt: { gte: since } },
        orderBy: { finishedAt: 'desc' },
        take: 10,
        include: { scenario: { select: { name: true } } },
      }),
      ctx.db.run.groupBy({
        by: ['state'],
        where: { orgId: ctx.orgId, createdAt: { gte: since } },
        _count: { _all: true },
      }),
      ctx.db.runEvent.findMany({
        where: {
          orgId: ctx.orgId,
          createdAt: { gte: since },
          type: { in: ['collision', 'near_miss', 'fault_start', 'red_light_violation'] },
        },
        orderBy: { createdAt: 'desc' },
        take: 20,
      }),
    ]);
    return {
      active: active.map((r) => ({
        id: r.id,
        scenarioName: r.scenario.name,
        state: r.state,
        progress: r.progress,
        simTime: r.simTime,
        realTimeFactor: r.realTimeFactor,
        startedAt: r.startedAt,
      })),
      recent: recent.map((r) => ({
        id: r.id,
        scenarioName: r.scenario.name,
        state: r.state,
        finishedAt: r.finishedAt,
        drivingScore: scoredKpis(r.state, r.kpis)?.drivingScore ?? null,
      })),
      last24h: Object.fromEntries(byState.map((s) => [s.state, s._count._all])),
      events: events.map((e) => ({
        id: e.id,
        runId: e.runId,
        type: e.type,
        vehicleId: e.vehicleId,
        t: e.t,
        at: e.createdAt,
      })),
    };
  }),

  /**
   * Vehicles with live features, from the online store (Redis): each one's latest 1 s window.
   * Keys start with the caller's orgId, so no other tenant's vehicle can appear.
   */
  vehicles: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const listed = await listOnlineVehicles(redis(), ctx.orgId, 40);
    const windows = await readOnlineFeaturesMany(redis(), ctx.orgId, listed);
    const runIds = [...new Set(listed.map((v) => v.runId))];
    const runs = await ctx.db.run.findMany({
      where: { orgId: ctx.orgId, id: { in: runIds } },
      select: { id: true, state: true, scenario: { select: { name: true } } },
    });
    const byId = new Map(runs.map((r) => [r.id, r]));
    const index = FLEET_FEATURES.map((n) => (FEATURE_SET.names as readonly string[]).indexOf(n));
    // Runs in order of their latest update; within a run the ego first, then npc-1, npc-2, …
    const runOrder = new Map(runIds.map((r, i) => [r, i]));
    const rows = listed.flatMap((v, i) => {
      const w = windows[i];
      if (!w) return [];
      const run = byId.get(v.runId);
      return [
        {
          runId: v.runId,
          vehicleId: v.vehicleId,
          scenarioName: run?.scenario.name ?? null,
          runState: run?.state ?? null,
          windowEnd: w.windowEnd,
          emittedAt: w.emittedAt,
          features: Object.fromEntries(
            FLEET_FEATURES.map((n, j) => [n, w.names[index[j]!] === n ? (w.values[index[j]!] ?? null) : null]),
          ) as Record<(typeof FLEET_FEATURES)[number], number | null>,
        },
      ];
    });
    return rows.sort(
      (x, y) =>
        runOrder.get(x.runId)! - runOrder.get(y.runId)! ||
        Number(y.vehicleId === 'ego') - Number(x.vehicleId === 'ego') ||
        x.vehicleId.localeCompare(y.vehicleId, 'en', { numeric: true }),
    );
  }),

  /** Platform pipeline health: topic throughput and consumer lag (shared infrastructure, no tenant data). */
  pipeline: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async () => {
    const probe = (globalForFleet.drivelabFleetProbe ??= new PipelineProbe(
      createKafka({ clientId: 'drivelab-web-fleet', retries: 0, connectionTimeout: 1500 }),
      env.KAFKA_TOPIC_PREFIX,
    ));
    const snap = await probe.snapshot();
    const prev = globalForFleet.drivelabLastPipeline;
    globalForFleet.drivelabLastPipeline = snap;
    return { lag: snap.groups, perSecond: prev && snap.at - prev.at < 60_000 ? throughput(prev, snap) : null };
  }),
});
