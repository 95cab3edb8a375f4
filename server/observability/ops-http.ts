import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kafkaHealth, type ProbeResult } from './kafka-health';
import { metrics } from './metrics';

/** Serves Prometheus metrics. Returns true when it answered the request. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' || (path !== '/metrics' && path !== '/api/metrics')) return false;
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(body);
  return true;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export interface ProcessProbes {
  /** Liveness: the event loop turns and no Kafka consumer crashed for good. */
  live(): ProbeResult;
  /** Readiness: started, not draining, and every consumer joined its group. */
  ready(): ProbeResult;
}

/**
 * Probes of one process from its own readiness callback and the process-wide Kafka tracker.
 * The event loop is alive when a 1 s timer kept firing: a loop blocked for longer than
 * stallMs answers the next probe with 503 even if that probe is served late.
 */
export function processProbes(
  options: {
    ready?: () => boolean;
    draining?: () => boolean;
    stallMs?: number;
    /** false for the web process: it serves pages while Kafka is away, so its consumers do not gate readiness. */
    consumersGateReadiness?: boolean;
  } = {},
): ProcessProbes & { stop(): void } {
  let lastTick = Date.now();
  const timer = setInterval(() => (lastTick = Date.now()), 1000);
  timer.unref();
  const stallMs = options.stallMs ?? 10_000;
  return {
    live() {
      const kafka = kafkaHealth.live();
      const stalled = Date.now() - lastTick - 1000;
      const reasons = [...kafka.reasons];
      if (stalled > stallMs) reasons.push(`event loop stalled for ${stalled} ms`);
      return { ok: reasons.length === 0, reasons, consumers: kafka.consumers };
    },
    ready() {
      const kafka = kafkaHealth.ready();
      const reasons = options.consumersGateReadiness === false ? [] : [...kafka.reasons];
      if (options.draining?.()) reasons.push('draining: stopping consumers and committing');
      else if (!(options.ready?.() ?? true)) reasons.push('starting');
      return { ok: reasons.length === 0, reasons, consumers: kafka.consumers };
    },
    stop: () => clearInterval(timer),
  };
}

export function sendProbe(res: ServerResponse, r: ProbeResult, okStatus: string): void {
  sendJson(res, r.ok ? 200 : 503, {
    status: r.ok ? okStatus : 'unavailable',
    reasons: r.reasons,
    consumers: r.consumers.map((c) => ({ groupId: c.groupId, phase: c.phase, partitions: c.partitions })),
  });
}

/**
 * Each worker's own small HTTP port: /metrics for Prometheus, /healthz (liveness) and /readyz
 * (readiness) for the orchestrator. /health, /health/live and /health/ready are older aliases.
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  ready?: () => boolean;
  draining?: () => boolean;
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const probes = processProbes({ ready: options.ready, draining: options.draining });
  const server = createServer((req, res) => {
    void (async () => {
      if (await serveMetrics(req, res)) return;
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && (path === '/healthz' || path === '/health' || path === '/health/live'))
        sendProbe(res, probes.live(), 'ok');
      else if (req.method === 'GET' && (path === '/readyz' || path === '/health/ready'))
        sendProbe(res, probes.ready(), 'ready');
      else sendJson(res, 404, { error: 'not found' });
    })().catch((err: unknown) => sendJson(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        probes.stop();
        server.close(() => resolve());
      }),
  };
}
