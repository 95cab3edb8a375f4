import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// This file's own topics, and a short heartbeat so a killed worker's run is failed quickly.
const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? 'test.'}runs-${randomBytes(4).toString('hex')}.`;
process.env.KAFKA_TOPIC_PREFIX = prefix;
process.env.RUN_HEARTBEAT_TIMEOUT_S = '4';

const { db } = await import('~/server/db');
const { createKafka, ensureTopics, topic } = await import('~/server/kafka/client');
const { createRun, cancelRun } = await import('~/server/runs/commands');
const { startRunTracking } = await import('~/server/runs/tracking');
const { disconnectSharedProducer } = await import('~/server/kafka/producer');
const { TOPICS } = await import('~/server/kafka/topics');
const { dlqMessageSchema } = await import('~/server/contracts/dlq');
const { collect } = await import('../helpers/kafka');
const { makeOrg, callerFor, userCaller } = await import('../helpers/tenancy');

const kafka = createKafka({ clientId: 'test-runs' });

function startSimWorker(): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/sim/main.ts'], {
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'warn', DRIVELAB_SERVICE: 'sim-test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function waitForRun(id: string, pred: (r: { state: string; progress: number }) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await db.run.findUniqueOrThrow({ where: { id } });
    if (pred(r)) return r;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${r.state} (${r.progress})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function scenarioFor(orgId: string, spec: object) {
  return db.scenario.create({
    data: {
      orgId,
      name: 'lifecycle',
      versions: { create: { orgId, version: 1, spec: { name: 'lifecycle', ...spec } } },
    },
  });
}

describe('run lifecycle through the real Kafka', () => {
  let tracking: { stop: () => Promise<void> };
  let worker: ReturnType<typeof startSimWorker>;
  let org: Awaited<ReturnType<typeof makeOrg>>;

  beforeAll(async () => {
    await ensureTopics(kafka, { prefix, partitions: 2 });
    org = await makeOrg('runs');
    tracking = await startRunTracking(kafka, db, { prefix, reapEveryMs: 500 });
    worker = startSimWorker();
  });

  afterAll(async () => {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await tracking.stop();
    await disconnectSharedProducer();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a started run goes queued → running → completed, with KPIs and its events in Postgres', async () => {
    const s = await scenarioFor(org.org.id, {
      map: 'highway_ring',
      durationS: 6,
      timeFactor: 'max',
      traffic: { vehicles: 3 },
      faults: [{ type: 'engine_overheat', vehicle: 'ego', startS: 1, rampS: 1, durationS: 3 }],
    });
    const run = await createRun(db, { orgId: org.org.id, scenarioId: s.id, dispatch: true });
    expect(run.state).toBe('queued');
    const done = await waitForRun(run.id, (r) => r.state === 'completed');
    expect(done.progress).toBe(1);
    expect(done.startedAt).not.toBeNull();
    const kpis = done.kpis as { drivingScore: number; routeCompletion: number };
    expect(kpis.drivingScore).toBeGreaterThanOrEqual(0);
    expect(kpis.routeCompletion).toBeGreaterThan(0);
    await expect
      .poll(async () => (await db.runEvent.findMany({ where: { runId: run.id } })).map((e) => e.type), {
        timeout: 15_000,
      })
      .toEqual(expect.arrayContaining(['run_started', 'fault_start', 'fault_end', 'run_finished']));
  });

  it('cancel stops a running run quickly and it is reported cancelled', async () => {
    const s = await scenarioFor(org.org.id, {
      map: 'urban_grid',
      durationS: 120,
      timeFactor: 1,
      traffic: { vehicles: 4 },
    });
    const run = await createRun(db, { orgId: org.org.id, scenarioId: s.id, dispatch: true });
    await waitForRun(run.id, (r) => r.state === 'running' && r.progress > 0);
    const t0 = Date.now();
    await cancelRun(db, org.org.id, run.id);
    const cancelled = await waitForRun(run.id, (r) => r.state === 'cancelled', 10_000);
    const elapsed = Date.now() - t0;
    console.log(`[run-lifecycle] cancel → cancelled in Postgres: ${elapsed} ms`);
    expect(cancelled.progress).toBeLessThan(0.2);
    expect(elapsed).toBeLessThan(5000);
  });

  it('a campaign sweeps parameters over queued runs, never more than maxConcurrent at once, and completes', async () => {
    const s = await scenarioFor(org.org.id, {
      map: 'highway_ring',
      durationS: 4,
      timeFactor: 'max',
      traffic: { vehicles: 2 },
    });
    const engineer = callerFor(userCaller(org.users.engineer));
    const created = await engineer.campaigns.create({
      org: org.org.slug,
      name: 'density sweep',
      scenarioId: s.id,
      strategy: 'lhs',
      runs: 5,
      maxConcurrent: 2,
      dimensions: [
        { path: 'traffic.vehicles', min: 1, max: 6, integer: true },
        { path: 'ego.driver', values: ['calm', 'aggressive'] },
      ],
    });
    expect(created.runs).toBe(5);
    let maxActive = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const runs = await db.run.findMany({ where: { campaignId: created.id } });
      maxActive = Math.max(
        maxActive,
        runs.filter((r) => r.dispatchedAt && (r.state === 'queued' || r.state === 'running')).length,
      );
      if (runs.every((r) => r.state === 'completed')) break;
      if (Date.now() > deadline) throw new Error(`campaign stuck: ${runs.map((r) => r.state).join(',')}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(maxActive).toBeGreaterThan(0);
    expect(maxActive).toBeLessThanOrEqual(2);
    await expect
      .poll(async () => (await db.campaign.findUniqueOrThrow({ where: { id: created.id } })).state)
      .toBe('completed');
    const view = await engineer.campaigns.get({ org: org.org.slug, id: created.id });
    expect(view.runs).toHaveLength(5);
    for (const r of view.runs) {
      expect(r.kpis).not.toBeNull();
      expect(r.params['traffic.vehicles']).toBeGreaterThanOrEqual(1);
      expect(['calm', 'aggressive']).toContain(r.params['ego.driver']);
    }
    // Each run really ran its own parameters.
    const started = await db.runEvent.findMany({
      where: { runId: { in: view.runs.map((r) => r.id) }, type: 'run_started' },
    });
    for (const e of started) {
      const run = view.runs.find((r) => r.id === e.runId)!;
      expect((e.data as { vehicles: number }).vehicles).toBe((run.params['traffic.vehicles'] as number) + 1);
    }
  });

  it('a status for a run of another org is refused to the DLQ and changes nothing', async () => {
    const other = await makeOrg('runs-other');
    const s = await scenarioFor(org.org.id, { durationS: 5 });
    const run = await db.run.create({
      data: {
        orgId: org.org.id,
        scenarioId: s.id,
        scenarioVersionId: (await db.scenarioVersion.findFirstOrThrow({ where: { scenarioId: s.id } })).id,
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topic(TOPICS.runStatus, prefix),
      messages: [
        {
          key: run.id,
          value: JSON.stringify({
            v: 1,
            orgId: other.org.id,
            runId: run.id,
            state: 'completed',
            progress: 1,
            simTime: 5,
            realTimeFactor: 1,
            ts: Date.now(),
          }),
        },
      ],
    });
    await producer.disconnect();
    const rejected = await collect(
      kafka,
      topic(TOPICS.dlq, prefix),
      (v) => {
        const m = dlqMessageSchema.parse(JSON.parse(v!.toString()));
        return m.key === run.id && m.reason === 'tenant' ? m : undefined;
      },
      (items) => items.length > 0,
    );
    expect(rejected).toHaveLength(1);
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).state).toBe('queued');
  });
  it('a run whose simulator dies is failed by the reaper instead of staying running', async () => {
    const s = await scenarioFor(org.org.id, {
      map: 'rural_hills',
      durationS: 300,
      timeFactor: 1,
      traffic: { vehicles: 2 },
    });
    const run = await createRun(db, { orgId: org.org.id, scenarioId: s.id, dispatch: true });
    await waitForRun(run.id, (r) => r.state === 'running');
    worker.child.kill('SIGKILL');
    await worker.exited;
    const failed = await waitForRun(run.id, (r) => r.state === 'failed', 20_000);
    expect((failed as { error: string | null }).error).toMatch(/stopped reporting/);
    worker = startSimWorker();
  });
});
