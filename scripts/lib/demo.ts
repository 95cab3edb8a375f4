import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { env } from '../../server/env';
import { DEMO, seed } from '../../prisma/seed';
import { createDb } from '../../server/db';
import { disconnectSharedProducer } from '../../server/kafka/producer';
import { createRun } from '../../server/runs/commands';
import { root, sleep, startPrefixed, stopChild, waitFor } from './proc';
import { stackDown, stackUp } from './stack';
import { predictCurl, seedDemoModels } from './demo-models';
import { buildWeb, migrate, workerEntries } from './tasks';

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
    s.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
  });
}

/**
 * The inference worker's Open Inference Protocol port: INFERENCE_HTTP_PORT when set, else the
 * first free one from its default 8500, so a second demo on the machine (another PORT) still
 * scores instead of its worker exiting on a taken port.
 */
async function inferencePort(host: string): Promise<number> {
  const set = process.env.INFERENCE_HTTP_PORT;
  if (set) return Number(set);
  for (let p = 8500; p < 8600; p++) if (!(await portInUse(host, p))) return p;
  throw new Error('No free port in 8500-8599 for the inference worker: set INFERENCE_HTTP_PORT.');
}

/**
 * `npm run demo`: stack up, migrate, seed, build once, then the web server and every worker
 * with prefixed logs. Ctrl-C stops the children and whatever this run started, nothing else.
 */
export async function runDemo(): Promise<void> {
  const t0 = Date.now();
  if (await portInUse(env.HOST, env.PORT)) {
    throw new Error(
      `Port ${env.PORT} on ${env.HOST} is already in use (another demo?). Stop that process or set PORT=<free port>.`,
    );
  }
  const stack = await stackUp();
  const children: { name: string; child: ChildProcess }[] = [];
  let seededIds = { orgId: '', userId: '', scenarioId: '' };
  let demoApiKey = '';
  let oipPort = 0;
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n[demo] stopping…');
    await Promise.all(children.map(({ child }) => stopChild(child)));
    await stackDown(stack.started);
    console.log('[demo] stopped; nothing of ours is left running');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  try {
    await migrate(env.DATABASE_URL);
    seededIds = await seed(env.DATABASE_URL);
    console.log(`[seed] demo org "${DEMO.org.slug}" (${seededIds.orgId}) with user ${DEMO.user.email}`);
    // Models working from the first minute: maintenance_predictor and the anomaly detector in production.
    const modelsDb = createDb(env.DATABASE_URL);
    try {
      demoApiKey = (await seedDemoModels(modelsDb, seededIds)).apiKey;
    } finally {
      await modelsDb.$disconnect();
    }
    console.log('[seed] maintenance_predictor and the demo anomaly detector are deployed as production');
    await buildWeb();
    oipPort = await inferencePort(env.HOST);
  } catch (err) {
    console.error(`[demo] ${(err as Error).message}`);
    await stackDown(stack.started);
    process.exit(1);
  }

  const baseEnv = { ...process.env, NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1' };
  const procs = [{ name: 'web', entry: join(root, 'server.ts') }, ...workerEntries()];
  procs.forEach(({ name, entry }, i) => {
    // node --import tsx: one process per service, so signals reach the service itself.
    const child = startPrefixed(name, i, process.execPath, ['--import', 'tsx', entry], {
      ...baseEnv,
      DRIVELAB_SERVICE: name,
      ...(name === 'inference' ? { INFERENCE_HTTP_PORT: String(oipPort) } : {}),
    });
    children.push({ name, child });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[demo] ${name} exited (${signal ?? `code ${code}`})`);
      if (name === 'web') void stopAll(1);
    });
  });

  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
  try {
    await waitFor(
      'the portal to report healthy',
      async () => {
        const r = await fetch(`${url}/api/health`);
        return r.ok;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  } catch (err) {
    console.error(`[demo] ${(err as Error).message}`);
    return stopAll(1);
  }
  // The demo run: the seeded scenario, in real time, so its progress and events can be watched.
  let runUrl = '';
  try {
    const run = await createRun(createDb(env.DATABASE_URL), {
      orgId: seededIds.orgId,
      scenarioId: seededIds.scenarioId,
      createdById: seededIds.userId,
      dispatch: true,
    });
    runUrl = `${url}/${DEMO.org.slug}/runs/${run.id}`;
    await disconnectSharedProducer();
  } catch (err) {
    console.error(`[demo] could not start the demo run: ${(err as Error).message}`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(
    [
      '',
      '  ┌─────────────────────────────────────────────────────────────',
      `  │ DriveLab is running at ${url}   (ready in ${secs} s)`,
      `  │ Sign in as ${DEMO.user.email} / ${DEMO.user.password} (org "${DEMO.org.slug}")`,
      ...(runUrl ? [`  │ Demo run (5 min, real time): ${runUrl}`] : []),
      `  │ Health: ${url}/api/health   Metrics: ${url}/api/metrics`,
      `  │ Open Inference Protocol v2 (inference worker): http://127.0.0.1:${oipPort}/v2`,
      '  │ Predict with the demo API key:',
      `  │   ${predictCurl(url, demoApiKey)}`,
      `  │ Processes: ${children.map((c) => c.name).join(', ')}`,
      '  │ Ctrl-C stops everything this demo started.',
      '  └─────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
  // Keep the event loop alive until a signal arrives.
  for (;;) await sleep(60_000);
}
