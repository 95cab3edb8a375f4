import { createServer } from 'node:http';
import next from 'next';
import { env } from './server/env';
import { healthReport } from './server/health';
import { logger } from './server/observability/logger';
import { registerLagGauge } from './server/kafka/lag-metrics';
import { metrics } from './server/observability/metrics';
import { installProcessPolicy } from './server/observability/process-policy';
import { processProbes, sendJson, sendProbe, serveMetrics } from './server/observability/ops-http';
import { attachRealtime } from './server/realtime/io';
import { db } from './server/db';
import { createKafka } from './server/kafka/client';
import { disconnectSharedProducer } from './server/kafka/producer';
import { startRunTracking } from './server/runs/tracking';
import { attachLiveNamespace, startLiveRelay } from './server/realtime/live';
import { startTrainingRelay } from './server/realtime/training-relay';
import { stopSharedBoss } from './server/training/queue';
import { redis } from './server/store/redis';

/**
 * The web process: Next.js (portal, tRPC, REST, auth) and Socket.IO on one port, plus the
 * process-level /api/health (and the fleet ML service's /health) and /api/metrics answered before
 * Next.js is involved.
 */
// Without a configured public URL, next-auth builds its redirects from the Host the browser used
// (whatever host and port the portal is reached by) instead of assuming localhost:3000.
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST = 'true';

installProcessPolicy('web');

const dev = env.NODE_ENV !== 'production';
const app = next({ dev, hostname: env.HOST, port: env.PORT });
const handle = app.getRequestHandler();

await app.prepare();

let closing = false;
// Liveness and readiness for an orchestrator; /api/health is the dependency report for people.
const probes = processProbes({ draining: () => closing, consumersGateReadiness: false });

const server = createServer((req, res) => {
  const started = performance.now();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  res.on('finish', () => {
    const group = path.startsWith('/api/')
      ? path.split('/').slice(0, 3).join('/')
      : path.startsWith('/_next/')
        ? '/_next'
        : 'page';
    metrics.httpRequestSeconds.observe(
      { route: group, status: `${Math.floor(res.statusCode / 100)}xx` },
      (performance.now() - started) / 1000,
    );
  });
  // The one trustworthy client address, for rate limits and the audit log; a client-sent value is overwritten.
  req.headers['x-drivelab-client-ip'] = req.socket.remoteAddress ?? '';
  void (async () => {
    if (await serveMetrics(req, res)) return;
    if (req.method === 'GET' && (path === '/api/health' || path === '/health')) {
      const report = await healthReport();
      sendJson(res, report.status === 'ok' ? 200 : 503, report);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') sendProbe(res, probes.live(), 'ok');
    else if (req.method === 'GET' && path === '/readyz') sendProbe(res, probes.ready(), 'ready');
    else await handle(req, res);
  })().catch((err: unknown) => {
    logger.error({ err, path }, 'request failed');
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
  });
});

const realtime = attachRealtime(server);
const live = attachLiveNamespace(realtime.io, { db, redis });

server.listen(env.PORT, env.HOST, () => {
  logger.info({ url: `http://${env.HOST}:${env.PORT}`, dev }, 'DriveLab web listening');
});

// Run state follows dl.run.status and dl.events; the live relay feeds /live sockets. Kafka may
// come up after the portal: keep trying each.
const background: { stop: () => Promise<void> }[] = [];
const keepTrying = (name: string, start: () => Promise<{ stop: () => Promise<void> }>) => {
  const attempt = async (n: number): Promise<void> => {
    try {
      background.push(await start());
      logger.info(`${name} started`);
    } catch (err) {
      const delay = Math.min(30_000, 1000 * n);
      logger.warn({ err: (err as Error).message, retryInMs: delay }, `${name} could not start; retrying`);
      setTimeout(() => void attempt(n + 1), delay).unref();
    }
  };
  void attempt(1);
};
// One Kafka client for the web process: its consumers, producers and the lag gauge's admin.
const kafka = createKafka({ clientId: 'drivelab-web' });
registerLagGauge(kafka);
keepTrying('run tracking', () => startRunTracking(kafka, db));
keepTrying('live relay', () => startLiveRelay(kafka, live));
keepTrying('training relay', () => startTrainingRelay(kafka, live, db));

const shutdown = (signal: string) => {
  if (closing) process.exit(1);
  closing = true;
  logger.info({ signal }, 'web stopping');
  setTimeout(() => process.exit(0), 5000).unref();
  void Promise.all([...background.map((b) => b.stop()), disconnectSharedProducer(), stopSharedBoss()])
    .then(() => realtime.close())
    .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
    .then(() => app.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
