import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * Each worker's own small HTTP port: /metrics for Prometheus, /health for liveness
 * (and readiness through the callback).
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  ready?: () => boolean;
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      if (await serveMetrics(req, res)) return;
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && (path === '/health' || path === '/health/live'))
        return void sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/health/ready') {
        const ready = options.ready?.() ?? true;
        return void sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'starting' });
      }
      sendJson(res, 404, { error: 'not found' });
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
