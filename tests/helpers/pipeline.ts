import { spawn, type ChildProcess } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { SimEvent } from '~/server/contracts/events';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { telemetryKey } from '~/server/contracts/telemetry';
import { createProducer, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { runScenario } from '~/workers/sim';
import { windowIndex } from '~/workers/features';

/** A deterministic simulated run: every frame and event, with a fixed wall clock. */
export function simulateRun(
  orgId: string,
  runId: string,
  opts: { vehicles?: number; durationS?: number; seed?: number } = {},
): { frames: TelemetryFrame[]; events: SimEvent[] } {
  const frames: TelemetryFrame[] = [];
  const events: SimEvent[] = [];
  const spec = {
    name: 'pipeline',
    map: 'highway_ring',
    durationS: opts.durationS ?? 30,
    seed: opts.seed ?? 7,
    traffic: { vehicles: (opts.vehicles ?? 6) - 1 },
  };
  for (const step of runScenario(spec as never, { orgId, runId, clock: () => 1_700_000_000_000 })) {
    frames.push(...step.frames);
    events.push(...step.events);
  }
  return { frames, events };
}

/**
 * The offline rows a run must produce, from its frames' event times: one tumbling window per
 * (vehicle, 1 s window with a frame), and one 10 s / 1 s sliding window per hop that overlaps a
 * tumbling window with data.
 */
export function expectedRowCount(frames: readonly TelemetryFrame[], windowS = 1, slidingSpan = 10): number {
  const perVehicle = new Map<string, Set<number>>();
  for (const f of frames) {
    let s = perVehicle.get(f.vehicleId);
    if (!s) perVehicle.set(f.vehicleId, (s = new Set()));
    s.add(windowIndex(f.t, windowS));
  }
  let n = 0;
  for (const ks of perVehicle.values()) {
    const sliding = new Set<number>();
    for (const k of ks) for (let j = k - slidingSpan + 1; j <= k; j++) sliding.add(j);
    n += ks.size + sliding.size;
  }
  return n;
}

/** Publishes frames (and optionally events) in event-time order, in chunks, optionally paced. */
export async function publishRun(
  kafka: Kafka,
  prefix: string,
  run: { frames: TelemetryFrame[]; events: SimEvent[] },
  options: { chunk?: number; pauseMs?: number; transform?: (f: TelemetryFrame) => TelemetryFrame } = {},
): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const started = run.events.filter((e) => e.type === 'run_started');
    const others = run.events.filter((e) => e.type !== 'run_started');
    const send = (evs: SimEvent[]) =>
      evs.length
        ? producer.send({
            topic: topic(TOPICS.events, prefix),
            messages: evs.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
          })
        : Promise.resolve();
    await send(started);
    // 400 frames of ~870 bytes stay under the broker's 1 MB batch limit even when every vehicle hashes to one partition.
    const chunk = options.chunk ?? 400;
    for (let i = 0; i < run.frames.length; i += chunk) {
      const frames = run.frames.slice(i, i + chunk).map(options.transform ?? ((f) => f));
      await producer.send({
        topic: topic(TOPICS.telemetry, prefix),
        messages: frames.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) })),
      });
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
    await send(others);
  } finally {
    await producer.disconnect();
  }
}

export interface OfflineRow {
  vehicleId: string;
  windowStart: number;
  windowSize: number;
  windowEnd: number;
  kind: string;
  values: (number | null)[];
  frameCount: number;
  revision: number;
}

export function testPool(): pg.Pool {
  return new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
}

export async function offlineRows(pool: pg.Pool, runId: string): Promise<OfflineRow[]> {
  const res = await pool.query<OfflineRow>(
    `SELECT "vehicleId", "windowStart", "windowSize", "windowEnd", "kind", "values", "frameCount", "revision"
       FROM "FeatureWindow" WHERE "runId" = $1 ORDER BY "vehicleId", "windowSize", "windowStart"`,
    [runId],
  );
  return res.rows;
}

export async function waitFor<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v).slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the run has at least `count` offline feature windows in Postgres, and returns them. */
export function waitForOfflineRows(
  pool: pg.Pool,
  runId: string,
  count: number,
  timeoutMs: number,
  what: string,
): Promise<OfflineRow[]> {
  return waitFor(
    () => offlineRows(pool, runId),
    (r) => r.length >= count,
    timeoutMs,
    what,
  );
}

/** How many frames the tumbling windows among `rows` hold: each frame sits in exactly one. */
export function tumblingFrameCount(rows: OfflineRow[]): number {
  return rows.filter((r) => r.kind === 'tumbling').reduce((n, r) => n + r.frameCount, 0);
}

/** The features worker as its own process (node --import tsx: a SIGKILL reaches the real process). */
export function spawnFeaturesWorker(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/features/main.ts'], {
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'warn', DRIVELAB_SERVICE: 'features-test', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}
