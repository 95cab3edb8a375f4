import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inferenceMetrics } from '~/server/inference/metrics';
import type { VersionSession } from '~/server/inference/version-session';
import { childLogger } from '~/server/observability/logger';
import { ApiKeyAuth } from './auth';
import { DeploymentRegistry } from './deployments';
import {
  buildResponse,
  inferRequestSchema,
  modelMetadata,
  OIP_SERVER,
  prepareInput,
  selectOutputs,
  type InferRequest,
} from './oip';

const log = childLogger('inference.http');
const MAX_BODY = 16 * 1024 * 1024;

export interface OipServerOptions {
  registry: DeploymentRegistry;
  auth: ApiKeyAuth;
  /** The alias used when a request names none (the first of INFERENCE_ALIAS). */
  defaultAlias: string;
  ready: () => boolean;
  /** Per-request observer (the monitoring page's stats). */
  onServed?: (versionId: string, source: 'http', rows: number, latencyUs: number) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

/** /v2/models/{name}[/versions/{v}][/ready|/infer] → its parts; null when the path is not a model path. */
function parseModelPath(
  path: string,
): { name: string; version: number | null; action: 'metadata' | 'ready' | 'infer' } | null {
  const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer))?\/?$/.exec(path);
  if (!m) return null;
  let name: string;
  try {
    name = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  let version: number | null = null;
  if (m[2] !== undefined) {
    version = /^[1-9]\d{0,8}$/.test(m[2]) ? Number(m[2]) : NaN;
  }
  return { name, version, action: (m[3] as 'ready' | 'infer' | undefined) ?? 'metadata' };
}

/**
 * Open Inference Protocol v2 over HTTP/1.1: health and server metadata are open; every model
 * route needs an API key and sees only its org's models (another org's model is "not found",
 * exactly like one that does not exist). Errors are {"error": "..."} with 400 (bad request),
 * 401, 404 (unknown model or version), 405, 413 or 429.
 */
export function createOipServer(o: OipServerOptions): Server {
  async function resolveSession(
    orgId: string,
    name: string,
    version: number | null,
    req: InferRequest | null,
  ): Promise<{ session: VersionSession; alias: string | null; versions: number[] }> {
    if (version !== null) {
      if (Number.isNaN(version)) throw new HttpError(400, 'model version must be a positive integer');
      const s = await o.registry.version(orgId, name, version);
      if (!s) throw new HttpError(404, `model '${name}' version ${version} not found`);
      const entry = o.registry.model(orgId, name);
      return {
        session: s,
        alias: null,
        versions: entry?.versions ?? (await o.registry.versionsOf(orgId, name)) ?? [s.info.version],
      };
    }
    const entry = o.registry.model(orgId, name);
    if (!entry) throw new HttpError(404, `model '${name}' not found (or not deployed as '${o.defaultAlias}')`);
    const aliasParam = req?.parameters?.alias;
    const alias = typeof aliasParam === 'string' ? aliasParam : o.defaultAlias;
    const route = entry.aliases.get(alias);
    if (!route) throw new HttpError(404, `model '${name}' has no deployment '${alias}'`);
    const vehicle = req?.parameters?.vehicle_id;
    const session = DeploymentRegistry.route(entry, route, typeof vehicle === 'string' ? vehicle : null);
    return { session, alias, versions: entry.versions };
  }

  async function infer(orgId: string, name: string, version: number | null, body: string): Promise<unknown> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'request body must be JSON');
    }
    const parsed = inferRequestSchema.safeParse(json);
    if (!parsed.success) {
      throw new HttpError(
        400,
        `invalid inference request: ${parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    const request = parsed.data;
    // A hot swap can retire a session between lookup and submit only across an await; retry once.
    for (let attempt = 0; ; attempt++) {
      const { session, alias } = await resolveSession(orgId, name, version, request);
      const input = prepareInput(session, request);
      if (!input.ok) throw new HttpError(400, input.error);
      const wanted = selectOutputs(session, request);
      if (!wanted.ok) throw new HttpError(400, wanted.error);
      const start = process.hrtime.bigint();
      try {
        const out = await session.infer(input.data, input.rows);
        const labels = { ...session.metricLabels, source: 'http' };
        const us = Number(process.hrtime.bigint() - start) / 1000;
        inferenceMetrics.requestSeconds.observe(labels, us / 1e6);
        inferenceMetrics.predictions.inc(labels, input.rows);
        o.onServed?.(session.info.id, 'http', input.rows, us);
        return buildResponse(session, alias, request, wanted.names, out);
      } catch (err) {
        if (session.retired && attempt === 0) continue;
        throw new HttpError(500, `inference failed: ${(err as Error).message}`);
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';

    if (path === '/v2' || path === '/v2/') {
      if (method !== 'GET') throw new HttpError(405, 'use GET');
      return void send(res, 200, OIP_SERVER);
    }
    if (path === '/v2/health/live') return void send(res, 200, { live: true });
    if (path === '/v2/health/ready') {
      const ready = o.ready();
      return void send(
        res,
        ready ? 200 : 503,
        ready ? { ready: true } : { ready: false, error: 'deployments are still loading' },
      );
    }
    const route = parseModelPath(path);
    if (!route) throw new HttpError(404, `no route ${method} ${path}`);

    const auth = await o.auth.authenticate(ApiKeyAuth.bearer(req.headers.authorization, req.headers['x-api-key']));
    if (!auth.ok)
      throw new HttpError(
        auth.status,
        auth.error,
        auth.retryAfterS ? { 'retry-after': String(auth.retryAfterS) } : { 'www-authenticate': 'Bearer' },
      );

    if (route.action === 'infer') {
      if (method !== 'POST') throw new HttpError(405, 'use POST for infer');
      const body = await readBody(req);
      return void send(res, 200, await infer(auth.orgId, route.name, route.version, body));
    }
    if (method !== 'GET') throw new HttpError(405, 'use GET');
    const { session, versions } = await resolveSession(auth.orgId, route.name, route.version, null);
    if (route.action === 'ready')
      return void send(res, 200, {
        name: route.name,
        ...(route.version !== null ? { version: String(route.version) } : {}),
        ready: !session.retired,
      });
    const meta = modelMetadata(session, versions);
    // Metadata of an explicit version names that version first, as the protocol's examples do.
    return void send(res, 200, route.version !== null ? { ...meta, versions: [String(route.version)] } : meta);
  }

  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) send(res, err.status, { error: err.message }, err.headers);
        return;
      }
      log.error({ err }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  return (server.address() as AddressInfo).port;
}
