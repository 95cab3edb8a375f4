import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OwnKafka } from '../helpers/own-kafka';
import { freePort, ownPostgres, ownRedis } from '../helpers/own-stores';

/**
 * Chaos on the real stack with a run in flight (issue 18). The broker, Postgres and Redis are this
 * file's own (the shared ones are never touched); sim, features, inference and recorder run as
 * real processes, two copies of each Kafka worker. Every case disturbs one part while a simulated
 * run is being processed, then compares the outcome with an undisturbed run of the same scenario
 * and seed (runs are deterministic in simulated time): the same offline windows, each recording
 * frame exactly once, the same alerts, and every process ready again without a manual restart.
 */
const tag = randomBytes(3).toString('hex');
const prefix = `chaos-${tag}.`;
const dataDir = mkdtempSync(join(tmpdir(), 'drivelab-chaos-'));
const [kafkaPort, controllerPort] = [await freePort(), await freePort()];
const [pgServer, redisServer] = await Promise.all([ownPostgres(), ownRedis()]);

// Set before the first import of server code (server/env reads them once): nothing below may
// reach the shared broker, database or Redis.
const stackEnv: Record<string, string> = {
  KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
  DATABASE_URL: pgServer.url,
  REDIS_URL: redisServer.url,
  KAFKA_TOPIC_PREFIX: prefix,
  DATA_DIR: dataDir,
  KAFKA_PARTITIONS: '2',
  // A run whose simulator died is reported failed within seconds, not the production 20 s.
  RUN_HEARTBEAT_TIMEOUT_S: '6',
};
Object.assign(process.env, stackEnv);
const { env } = await import('~/server/env');
if (env.DATABASE_URL !== stackEnv.DATABASE_URL || env.KAFKA_BROKERS.join() !== stackEnv.KAFKA_BROKERS)
  throw new Error('server/env was loaded before this file set its private stack; refusing to touch shared services');
const { ownKafka } = await import('../helpers/own-kafka');
const broker: OwnKafka = await ownKafka({ port: kafkaPort, controllerPort });
try {
  await broker.start();
} catch (err) {
  // afterAll does not run when the file fails while loading: stop what was started here.
  await Promise.all([broker.destroy(), pgServer.destroy(), redisServer.destroy()]);
  throw err;
}

const { McapIndexedReader } = await import('@mcap/core');
const { migrate } = await import('~/scripts/lib/tasks');
const { db } = await import('~/server/db');
const { createKafka, ensureTopics } = await import('~/server/kafka/client');
const { disconnectSharedProducer } = await import('~/server/kafka/producer');
const { createRun } = await import('~/server/runs/commands');
const { startRunTracking } = await import('~/server/runs/tracking');
const { localObjectStore } = await import('~/server/store/object-store');
const { recordingKey } = await import('~/server/store/recordings');
const { registerAutoencoder, setAlias } = await import('~/scripts/fixtures/models');

type WorkerName = 'sim' | 'features' | 'inference' | 'recorder';

interface WorkerProc {
  name: WorkerName;
  id: string;
  child: ChildProcess;
  port: number;
  output: string;
  exited: Promise<number | null>;
}

const workers: WorkerProc[] = [];
/** Copies this file killed on purpose; any other exit is a failure to recover. */
const killed = new Set<WorkerProc>();
let copies = 0;

async function startWorker(name: WorkerName): Promise<WorkerProc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', `workers/${name}/main.ts`], {
    env: {
      ...process.env,
      ...stackEnv,
      METRICS_PORT: String(port),
      LOG_LEVEL: 'warn',
      DRIVELAB_SERVICE: `${name}-chaos`,
      // Short session timeouts: a SIGKILLed copy's partitions move to the other copy within seconds.
      FEATURES_SESSION_TIMEOUT_MS: '6000',
      FEATURES_COMMIT_INTERVAL_MS: '500',
      FEATURES_FINISH_GRACE_MS: '3000',
      FEATURES_DECODE_THREADS: '0',
      RECORDER_SESSION_TIMEOUT_MS: '6000',
      RECORDER_GRACE_MS: '1500',
      RECORDER_TICK_MS: '200',
      INFERENCE_HTTP_PORT: '0',
      INFERENCE_RECONCILE_S: '1',
      INFERENCE_ALERT_K: '3',
      INFERENCE_ALERT_N: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w: WorkerProc = {
    name,
    id: `${name}#${++copies}`,
    child,
    port,
    output: '',
    exited: new Promise((r) => child.on('exit', (code) => r(code))),
  };
  const keep = (b: Buffer) => (w.output = (w.output + b.toString()).slice(-6000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  workers.push(w);
  return w;
}

const alive = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

async function readyz(w: WorkerProc): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${w.port}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: (err as Error).message };
  }
}

async function kill(victim: WorkerProc): Promise<void> {
  killed.add(victim);
  victim.child.kill('SIGKILL');
  await victim.exited;
}

/** The sim copy's drivelab_sim_runs_active gauge (its /metrics). */
async function simRunsActive(w: WorkerProc): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${w.port}/metrics`, { signal: AbortSignal.timeout(3000) });
  const m = /^drivelab_sim_runs_active(?:\{[^}]*\})? (\S+)$/m.exec(await res.text());
  return m ? Number(m[1]) : -1;
}

/** Every live worker answers /readyz 200 — nothing was restarted by hand to get there. */
async function allReady(timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    const probes = await Promise.all(alive().map(async (w) => ({ w, r: await readyz(w) })));
    last = probes.filter((p) => p.r.status !== 200).map((p) => `${p.w.id}: ${p.r.status} ${p.r.body.slice(0, 300)}`);
    if (last.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`workers not ready after ${timeoutMs / 1000} s:\n${last.join('\n')}\n${logs()}`);
}

function logs(): string {
  return workers
    .map((w) => `── ${w.id} (exit ${w.child.exitCode ?? w.child.signalCode ?? 'alive'}) ──\n${w.output.slice(-1500)}`)
    .join('\n');
}

/** A worker exited that nobody killed: the product failed to recover on its own. */
function unexpectedExits(gone: Set<WorkerProc>): string[] {
  return workers
    .filter((w) => !gone.has(w) && (w.child.exitCode !== null || w.child.signalCode !== null))
    .map((w) => w.id);
}

// ── the scenario and what a run produced ──────────────────────────────────────────────────────

const SCENARIO = {
  name: 'chaos',
  map: 'highway_ring',
  durationS: 30,
  seed: 1234,
  // 3× real time: a run is in flight for ~10 s, long enough to disturb it half-way.
  timeFactor: 3,
  traffic: { vehicles: 3 },
  faults: [{ type: 'engine_overheat', vehicle: 'ego', startS: 8, rampS: 2, durationS: 12 }],
};

interface Outcome {
  windows: Map<string, string>;
  frames: { total: number; unique: number };
  alerts: string[];
  state: string;
  error: string | null;
}

let orgId = '';
let scenarioId = '';
const store = localObjectStore(dataDir);

// Plain pg for the offline store: Prisma cannot map the null entries of a Float[] column.
const pool = new pg.Pool({ connectionString: stackEnv.DATABASE_URL, max: 2 });
// Idle connections die with the Postgres restart; the pool replaces them on the next query.
pool.on('error', () => undefined);

async function windowsOf(runId: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{
    vehicleId: string;
    windowSize: number;
    windowStart: number;
    windowEnd: number;
    kind: string;
    values: (number | null)[];
    frameCount: number;
  }>(
    `SELECT "vehicleId", "windowSize", "windowStart", "windowEnd", "kind", "values", "frameCount"
       FROM "FeatureWindow" WHERE "runId" = $1`,
    [runId],
  );
  return new Map(
    rows.map((r) => [
      `${r.vehicleId}|${r.windowSize}|${r.windowStart}`,
      JSON.stringify({ kind: r.kind, end: r.windowEnd, values: r.values, n: r.frameCount }),
    ]),
  );
}

/** Raw telemetry messages in the run's MCAP file and distinct (vehicle, seq) among them. */
async function framesOf(runId: string): Promise<{ total: number; unique: number } | null> {
  const readable = await store.openReader(recordingKey(orgId, runId));
  if (!readable) return null;
  const reader = await McapIndexedReader.Initialize({ readable });
  const decoder = new TextDecoder();
  const ids = new Set<string>();
  let total = 0;
  for await (const msg of reader.readMessages()) {
    const channel = reader.channelsById.get(msg.channelId);
    if (!channel || channel.topic === '/events') continue;
    const f = JSON.parse(decoder.decode(msg.data)) as { vehicleId?: string; seq?: number };
    if (f.seq === undefined) continue;
    total++;
    ids.add(`${f.vehicleId}#${f.seq}`);
  }
  return { total, unique: ids.size };
}

async function alertsOf(runId: string): Promise<string[]> {
  const rows = await db.alert.findMany({ where: { runId }, orderBy: [{ vehicleId: 'asc' }, { windowStart: 'asc' }] });
  return rows.map((a) => `${a.vehicleId}@${a.windowStart}/${a.alias}`);
}

async function startRun(): Promise<string> {
  const run = await createRun(db, { orgId, scenarioId, dispatch: true });
  return run.id;
}

async function waitUntil<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((err: unknown) => err as T);
    if (!(v instanceof Error) && ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}: ${String(v).slice(0, 300)}\n${logs()}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits for the run to end, its recording to close and its windows and alerts to stop changing. */
async function outcome(runId: string, expected?: Outcome): Promise<Outcome> {
  const run = await waitUntil(
    `run ${runId} to end`,
    () => db.run.findUniqueOrThrow({ where: { id: runId } }),
    (r) => ['completed', 'failed', 'cancelled'].includes(r.state),
    120_000,
  );
  const frames = await waitUntil(
    `the recording of ${runId}`,
    () => framesOf(runId),
    (f) => f !== null,
    90_000,
  );
  // Windows close after the run's finish grace; with a baseline, wait for its count (bounded).
  let windows = await windowsOf(runId);
  let alerts = await alertsOf(runId);
  const deadline = Date.now() + 60_000;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const [w, a] = await Promise.all([windowsOf(runId), alertsOf(runId)]);
    const changed =
      w.size !== windows.size || a.length !== alerts.length || [...w].some(([k, v]) => windows.get(k) !== v);
    windows = w;
    alerts = a;
    if (changed) stableSince = Date.now();
    const reached = !expected || (w.size >= expected.windows.size && a.length >= expected.alerts.length);
    if (reached && Date.now() - stableSince >= 4000) break;
  }
  return { windows, frames: frames!, alerts, state: run.state, error: run.error };
}

function diffWindows(base: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of base) {
    if (!got.has(k)) out.push(`lost ${k}`);
    else if (got.get(k) !== v) out.push(`changed ${k}: ${got.get(k)} (undisturbed: ${v})`);
  }
  for (const k of got.keys()) if (!base.has(k)) out.push(`extra ${k}`);
  return out;
}

function expectSameAs(base: Outcome, got: Outcome): void {
  expect(got.state, got.error ?? '').toBe('completed');
  expect(diffWindows(base.windows, got.windows).slice(0, 20)).toEqual([]);
  // Every frame of the run in the file exactly once.
  expect(got.frames).toEqual(base.frames);
  expect(got.alerts).toEqual(base.alerts);
}

/** Resolves once the run is half-way: windows of it are in the offline store. */
async function inFlight(runId: string, base: Outcome): Promise<void> {
  await waitUntil(
    `run ${runId} to be in flight`,
    async () => (await windowsOf(runId)).size,
    (n) => n >= base.windows.size * 0.25,
    90_000,
  );
  const r = await db.run.findUniqueOrThrow({ where: { id: runId } });
  // The disturbance must land while the run is still being simulated.
  expect(r.state).toBe('running');
}

// ── the stack ─────────────────────────────────────────────────────────────────────────────────

let baseline: Outcome;
let tracking: { stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  const t0 = Date.now();
  const step = (what: string) => console.log(`[chaos] ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await migrate(stackEnv.DATABASE_URL!);
  const kafka = createKafka({ clientId: 'chaos-setup' });
  await ensureTopics(kafka, { prefix, partitions: 2 });
  const org = await db.organization.create({ data: { name: `Chaos ${tag}`, slug: `chaos-${tag}` } });
  orgId = org.id;
  const scenario = await db.scenario.create({
    data: { orgId, name: 'chaos', versions: { create: { orgId, version: 1, spec: SCENARIO } } },
  });
  scenarioId = scenario.id;
  // A production model, so inference scores every window and raises alerts.
  const model = await registerAutoencoder(orgId, 'chaos-wear', 5, { epochs: 10 });
  await setAlias(orgId, model.modelId, 'production', model.id);
  step('model registered');
  // The web's run tracking (status → Postgres, heartbeat reaper), as the web process runs it.
  tracking = await startRunTracking(createKafka({ clientId: 'chaos-web' }), db, { prefix, reapEveryMs: 1000 });
  for (const name of ['sim', 'sim', 'features', 'features', 'inference', 'inference', 'recorder'] as const)
    await startWorker(name);
  // Seven tsx processes compiling at once on a loaded 2-core machine: minutes, not seconds.
  await allReady(420_000);
  step('workers ready');
  baseline = await outcome(await startRun());
  console.log(
    `[chaos] undisturbed run: ${baseline.windows.size} windows, ${baseline.frames.total} frames, ${baseline.alerts.length} alerts`,
  );
}, 900_000);

afterAll(async () => {
  for (const w of alive()) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await tracking?.stop().catch(() => undefined);
  await disconnectSharedProducer().catch(() => undefined);
  await db.$disconnect();
  await pool.end();
  await broker.destroy();
  await pgServer.destroy();
  await redisServer.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('chaos with a run in flight', () => {
  it('the undisturbed run produced windows, a full recording and alerts to compare against', () => {
    expect(baseline.state).toBe('completed');
    expect(baseline.windows.size).toBeGreaterThan(100);
    expect(baseline.frames.total).toBe(baseline.frames.unique);
    expect(baseline.frames.total).toBeGreaterThan(1000);
    expect(baseline.alerts.length).toBeGreaterThan(0);
  });

  it('the Kafka broker restarted', async () => {
    const runId = await startRun();
    await inFlight(runId, baseline);
    await broker.stop('SIGTERM');
    await broker.start();
    expectSameAs(baseline, await outcome(runId, baseline));
    await allReady();
    expect(unexpectedExits(killed)).toEqual([]);
  }, 300_000);

  it('Postgres restarted', async () => {
    const runId = await startRun();
    await inFlight(runId, baseline);
    await pgServer.stop('SIGINT');
    await new Promise((r) => setTimeout(r, 2000));
    await pgServer.start();
    expectSameAs(baseline, await outcome(runId, baseline));
    await allReady();
    expect(unexpectedExits(killed)).toEqual([]);
  }, 300_000);

  it('Redis flushed and restarted', async () => {
    const runId = await startRun();
    await inFlight(runId, baseline);
    const flush = spawn('redis-cli', ['-u', redisServer.url, 'FLUSHALL']);
    await new Promise((r) => flush.on('exit', r));
    await redisServer.stop('SIGTERM');
    await redisServer.start();
    expectSameAs(baseline, await outcome(runId, baseline));
    await allReady();
    expect(unexpectedExits(killed)).toEqual([]);
  }, 300_000);

  // The recorder runs as exactly one copy by design (workers/recorder/recorder.ts: one MCAP file
  // per run), so it is killed and replaced rather than killed beside a second copy.
  for (const [name, how] of [
    ['features', 'a features copy killed with SIGKILL while another runs'],
    ['inference', 'an inference copy killed with SIGKILL while another runs'],
    ['recorder', 'the recorder (a single copy) killed with SIGKILL and replaced'],
  ] as const) {
    it(
      how,
      async () => {
        const runId = await startRun();
        await inFlight(runId, baseline);
        const victim = alive().find((w) => w.name === name)!;
        await kill(victim);
        // The orchestrator replaces the lost copy (a Deployment keeps its replica count).
        await startWorker(name);
        expectSameAs(baseline, await outcome(runId, baseline));
        await allReady();
        expect(unexpectedExits(killed)).toEqual([]);
      },
      300_000,
    );
  }

  it('the sim copy running a run killed with SIGKILL while another runs', async () => {
    const runId = await startRun();
    await inFlight(runId, baseline);
    const sims = alive().filter((w) => w.name === 'sim');
    const busy = await Promise.all(sims.map(simRunsActive));
    const victim = sims[busy.findIndex((n) => n > 0)];
    expect(victim, `drivelab_sim_runs_active of the sim copies: ${busy.join(', ')}`).toBeDefined();
    await kill(victim!);
    await startWorker('sim');
    // A simulation is not resumable: the web's heartbeat reaper fails the run (it never stays
    // "running"), and the next run is simulated by the surviving copy as if nothing happened.
    const lost = await waitUntil(
      `run ${runId} to end`,
      () => db.run.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.state !== 'running' && r.state !== 'queued',
      120_000,
    );
    expect(lost.state).toBe('failed');
    expect(lost.error).toMatch(/stopped reporting/);
    await allReady();
    expectSameAs(baseline, await outcome(await startRun(), baseline));
    expect(unexpectedExits(killed)).toEqual([]);
  }, 300_000);
});
