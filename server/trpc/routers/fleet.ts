import type { Kafka } from 'kafkajs';
import { runKpisSchema } from '../../contracts/run-status';
import { env } from '../../env';
import { createKafka } from '../../kafka/client';
import { pipelineSnapshot, throughput, type PipelineSnapshot } from '../../observability/pipeline';
import { createTRPCRouter, orgProcedure } from '../init';

const globalForFleet = globalThis as unknown as { drivelabFleetKafka?: Kafka; drivelabLastPipeline?: PipelineSnapshot };

export const fleetRouter = createTRPCRouter({
  /** What the org has in flight now, and how its last day went. */
  overview: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const since = new Date(Date.now() - 24 * 3600_000);
    const [active, recent, byState, events] = await Promise.all([
      ctx.db.run.findMany({ where: { orgId: ctx.orgId, state: { in: ['queued', 'running'] } }, orderBy: { createdAt: 'desc' }, take: 50, include: { scenario: { select: { name: true } } } }),
      ctx.db.run.findMany({ where: { orgId: ctx.orgId, state: { in: ['completed', 'failed', 'cancelled'] }, finishedAt: { gte: since } }, orderBy: { finishedAt: 'desc' }, take: 10, include: { scenario: { select: { name: true } } } }),
      ctx.db.run.groupBy({ by: ['state'], where: { orgId: ctx.orgId, createdAt: { gte: since } }, _count: { _all: true } }),
      ctx.db.runEvent.findMany({ where: { orgId: ctx.orgId, createdAt: { gte: since }, type: { in: ['collision', 'near_miss', 'fault_start', 'red_light_violation'] } }, orderBy: { createdAt: 'desc' }, take: 20 }),
    ]);
    return {
      active: active.map((r) => ({ id: r.id, scenarioName: r.scenario.name, state: r.state, progress: r.progress, simTime: r.simTime, realTimeFactor: r.realTimeFactor, startedAt: r.startedAt })),
      recent: recent.map((r) => ({ id: r.id, scenarioName: r.scenario.name, state: r.state, finishedAt: r.finishedAt, drivingScore: r.kpis ? runKpisSchema.parse(r.kpis).drivingScore : null })),
      last24h: Object.fromEntries(byState.map((s) => [s.state, s._count._all])) as Record<string, number>,
      events: events.map((e) => ({ id: e.id, runId: e.runId, type: e.type, vehicleId: e.vehicleId, t: e.t, at: e.createdAt })),
    };
  }),

  /** Platform pipeline health: topic throughput and consumer lag (shared infrastructure, no tenant data). */
  pipeline: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async () => {
    const kafka = (globalForFleet.drivelabFleetKafka ??= createKafka({ clientId: 'drivelab-web-fleet', retries: 0, connectionTimeout: 1500 }));
    const snap = await pipelineSnapshot(kafka, env.KAFKA_TOPIC_PREFIX);
    const prev = globalForFleet.drivelabLastPipeline;
    globalForFleet.drivelabLastPipeline = snap;
    return { lag: snap.groups, perSecond: prev && snap.at - prev.at < 60_000 ? throughput(prev, snap) : null };
  }),
});
