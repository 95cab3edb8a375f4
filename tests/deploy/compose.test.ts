import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * deploy/compose.yaml end to end (issue 18): our own dockerd (scripts/lib/docker.ts), both images
 * (cached), the whole compose project up, one scenario run through sim → features → recorder →
 * web's run tracking, /api/health and every /metrics, then a stop that each worker must survive
 * with exit 0 after its drain ("stopped cleanly" is logged once offsets are committed) and with
 * no lag left in its consumer group. Where Docker cannot run, beforeAll throws and the file fails.
 */
const PORTS = {
  DRIVELAB_WEB_PORT: '19300',
  DRIVELAB_SIM_METRICS_PORT: '19301',
  DRIVELAB_FEATURES_METRICS_PORT: '19302',
  DRIVELAB_RECORDER_METRICS_PORT: '19303',
  DRIVELAB_TRAINER_METRICS_PORT: '19304',
  DRIVELAB_INFERENCE_METRICS_PORT: '19305',
  DRIVELAB_INFERENCE_HTTP_PORT: '19306',
  DRIVELAB_REDIS_PORT: '19379',
  DRIVELAB_KAFKA_PORT: '19392',
  DRIVELAB_KAFKA_CONTROLLER_PORT: '19393',
  DRIVELAB_POSTGRES_PORT: '19432',
};
const WORKERS = {
  sim: PORTS.DRIVELAB_SIM_METRICS_PORT,
  features: PORTS.DRIVELAB_FEATURES_METRICS_PORT,
  recorder: PORTS.DRIVELAB_RECORDER_METRICS_PORT,
  trainer: PORTS.DRIVELAB_TRAINER_METRICS_PORT,
  inference: PORTS.DRIVELAB_INFERENCE_METRICS_PORT,
} as const;
const APP_SERVICES = ['web', ...Object.keys(WORKERS)];
const PROJECT = 'drivelabtest';

// This file talks to the compose project's services, not the shared test stack.
process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${PORTS.DRIVELAB_POSTGRES_PORT}/drivelab`;
process.env.KAFKA_BROKERS = `127.0.0.1:${PORTS.DRIVELAB_KAFKA_PORT}`;
process.env.REDIS_URL = `redis://127.0.0.1:${PORTS.DRIVELAB_REDIS_PORT}`;
process.env.KAFKA_TOPIC_PREFIX = '';

const { startDockerd, stopDockerd, docker, dockerEnv } = await import('../../scripts/lib/docker');
const { buildImages } = await import('../../scripts/lib/image');
const { capture, root } = await import('../../scripts/lib/proc');

const composeEnv = dockerEnv({ ...PORTS, NEXTAUTH_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info' });
const compose = (...args: string[]) =>
  capture('docker-compose', ['-p', PROJECT, '-f', join(root, 'deploy/compose.yaml'), ...args], { env: composeEnv });

async function must(what: string, p: Promise<{ code: number; output: string }>): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.output.slice(-4000)}`);
  return r.output;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const logs = await compose('logs', '--no-color', '--tail', '40');
  throw new Error(
    `timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}\n${logs.output.slice(-6000)}`,
  );
}

let dockerdStarted = false;
let composeUp = false;

beforeAll(async () => {
  const t0 = Date.now();
  dockerdStarted = (await startDockerd()).started;
  await buildImages();
  const t1 = Date.now();
  // A project left over by an interrupted run would hold the ports.
  await compose('down', '-v', '--remove-orphans', '-t', '5');
  composeUp = true;
  await must('docker-compose up', compose('up', '-d'));
  console.log(`[compose] images ${((t1 - t0) / 1000).toFixed(1)} s, up ${((Date.now() - t1) / 1000).toFixed(1)} s`);
}, 1_500_000);

afterAll(async () => {
  try {
    if (composeUp) await compose('down', '-v', '--remove-orphans', '-t', '50');
  } finally {
    if (dockerdStarted) await stopDockerd();
  }
}, 180_000);

describe('deploy/compose.yaml', () => {
  it('serves /api/health once every service is up', async () => {
    const health = await poll(
      'web /api/health',
      async () => {
        const r = await fetch(`http://127.0.0.1:${PORTS.DRIVELAB_WEB_PORT}/api/health`);
        return r.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
      },
      240_000,
    );
    expect(health).toBeTypeOf('object');
    // Every app container runs the image as the non-root user.
    for (const s of APP_SERVICES) {
      const id = (await must(`ps ${s}`, compose('ps', '-q', s))).trim();
      const user = (await must('exec id', docker(['exec', id, 'id', '-u']))).trim();
      expect(user, s).toBe('10001');
    }
  }, 300_000);

  it('runs a scenario end to end: sim → features (offline store) → web run tracking', async () => {
    const { seed } = await import('../../prisma/seed');
    const { db } = await import('~/server/db');
    const { createRun } = await import('~/server/runs/commands');
    const { disconnectSharedProducer } = await import('~/server/kafka/producer');
    const ids = await seed(process.env.DATABASE_URL);
    const scenario = await db.scenario.create({
      data: {
        orgId: ids.orgId,
        name: 'compose',
        versions: {
          create: {
            orgId: ids.orgId,
            version: 1,
            spec: { name: 'compose', map: 'highway_ring', durationS: 20, timeFactor: 'max', traffic: { vehicles: 3 } },
          },
        },
      },
    });
    const run = await createRun(db, { orgId: ids.orgId, scenarioId: scenario.id, dispatch: true });
    await disconnectSharedProducer();
    const done = await poll(
      `run ${run.id} to complete`,
      async () => {
        const r = await db.run.findUniqueOrThrow({ where: { id: run.id } });
        if (r.state === 'failed') throw new Error(`run failed: ${r.error}`);
        return r.state === 'completed' ? r : undefined;
      },
      180_000,
    );
    expect(done.progress).toBe(1);
    const windows = await poll(
      'feature windows in the offline store',
      async () => {
        const n = await db.featureWindow.count({ where: { runId: run.id } });
        return n > 0 ? n : undefined;
      },
      60_000,
    );
    expect(windows).toBeGreaterThan(0);
    await db.$disconnect();
  }, 300_000);

  it('every process serves /metrics', async () => {
    const web = await fetch(`http://127.0.0.1:${PORTS.DRIVELAB_WEB_PORT}/api/metrics`);
    expect(web.status).toBe(200);
    expect(await web.text()).toMatch(/^(drivelab_)?process_cpu_user_seconds_total[{ ]/m);
    for (const [name, port] of Object.entries(WORKERS)) {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(r.status, name).toBe(200);
      const text = await r.text();
      expect(text, name).toMatch(/^(drivelab_)?process_cpu_user_seconds_total[{ ]/m);
      expect(text, name).toContain(`service="${name}"`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status, `${name} /readyz`).toBe(200);
    }
  }, 60_000);

  it('stops gracefully: each worker exits 0 after committing, leaving no lag', async () => {
    const ids: Record<string, string> = {};
    for (const s of APP_SERVICES) ids[s] = (await must(`ps ${s}`, compose('ps', '-q', s))).trim();
    // Kafka stays up so that the committed offsets can be read afterwards.
    await must('docker-compose stop', compose('stop', '-t', '45', ...APP_SERVICES));
    for (const [s, id] of Object.entries(ids)) {
      const state = (
        await must('inspect', docker(['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', id]))
      ).trim();
      expect(state, s).toBe('0 false');
      if (s === 'web') continue;
      const logs = await docker(['logs', id]);
      expect(logs.output, s).toMatch(/"msg":"stopping"/);
      expect(logs.output, s).toMatch(/"msg":"stopped cleanly"/);
    }
    const { createKafka } = await import('~/server/kafka/client');
    const { CONSUMER_GROUPS, TOPICS } = await import('~/server/kafka/topics');
    const admin = createKafka({ clientId: 'compose-test' }).admin();
    await admin.connect();
    try {
      const groups: [string, string][] = [
        [CONSUMER_GROUPS.features, TOPICS.telemetry],
        [CONSUMER_GROUPS.recorder, TOPICS.telemetry],
      ];
      for (const [group, topic] of groups) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        for (const end of ends) {
          const c = committed!.partitions.find((p) => p.partition === end.partition);
          // A partition that never had a message has nothing to commit.
          if (end.high === '0') continue;
          expect(c?.offset, `${group} ${topic}[${end.partition}]`).toBe(end.high);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});
