import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { explainRow } from '~/server/explain/explain';
import type { RowOutputs } from '~/server/inference/batcher';
import { inferenceMetrics } from '~/server/inference/metrics';
import type { VersionSession } from '~/server/inference/version-session';
import { assertSafeInput } from '~/server/contracts/strings';
import { AppError, asAppError, errorBody, errorHeaders, parseOrThrow } from '~/server/errors';
import { BODY_LIMITS, declaredLength, decodeUtf8, parseJsonText, tooLarge } from '~/server/http/limits';
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
const MAX_BODY = BODY_LIMITS.oip;
const DRAIN_MS = 10_000;
/** Each row is one batched model call of coalitions × background rows. */
const MAX_EXPLAIN_ROWS = 64;

export interface OipServerOptions {
  registry: DeploymentRegistry;
  auth: ApiKeyAuth;
  /** The alias used when a request names none (the first of INFERENCE_ALIAS). */
  defaultAlias: string;
  ready: () => boolean;
  /** Per-request observer (the monitoring page's stats). */
  onServed?: (versionId: string, source: 'http', rows: number, latencyUs: number) => void;
  /** The rows an infer request scored and the outputs: drift windows. */
  onScored?: (session: VersionSession, data: Float32Array, rows: number, out: RowOutputs) => void;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Reads the body up to MAX_BODY. Over it (declared or counted), the 413 is answered at once and
 * the rest of the body is read and discarded (for at most DRAIN_MS) before the connection
 * closes: destroying the socket mid-upload would reach the client as a TCP reset, not a 413.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const refuse = () => {
      req.removeAllListeners('data');
      req.on('data', () => undefined);
      setTimeout(() => req.destroy(), DRAIN_MS).unref();
      reject(tooLarge(MAX_BODY));
    };
    const declared = declaredLength(req.headers['content-length']);
    if (declared !== null && declared > MAX_BODY) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) return refuse();
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(decodeUtf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on('error', reject);
  });
}

/** /v2/models/{name}[/versions/{v}][/ready|/infer|/explain] → its parts; null when the path is not a model path. */
function parseModelPath(
  path: string,
): { name: string; version: number | null; action: 'metadata' | 'ready' | 'infer' | 'explain' } | null {
  const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer|explain))?\/?$/.exec(path);
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
  return { name, version, action: (m[3] as 'ready' | 'infer' | 'explain' | undefined) ?? 'metadata' };
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
      if (Number.isNaN(version)) throw new AppError('BAD_REQUEST', 'model version must be a positive integer');
      const s = await o.registry.version(orgId, name, version);
      if (!s) throw new AppError('NOT_FOUND', `model '${name}' version ${version} not found`);
      const entry = o.registry.model(orgId, name);
      return {
        session: s,
        alias: null,
        versions: entry?.versions ?? (await o.registry.versionsOf(orgId, name)) ?? [s.info.version],
      };
    }
    const entry = o.registry.model(orgId, name);
    if (!entry) throw new AppError('NOT_FOUND', `model '${name}' not found (or not deployed as '${o.defaultAlias}')`);
    const aliasParam = req?.parameters?.alias;
    const alias = typeof aliasParam === 'string' ? aliasParam : o.defaultAlias;
    const route = entry.aliases.get(alias);
    if (!route) throw new AppError('NOT_FOUND', `model '${name}' has no deployment '${alias}'`);
    const vehicle = req?.parameters?.vehicle_id;
    const session = DeploymentRegistry.route(entry, route, typeof vehicle === 'string' ? vehicle : null);
    return { session, alias, versions: entry.versions };
  }

  function parseInferBody(body: string): InferRequest {
    const json = parseJsonText(body);
    assertSafeInput(json);
    return parseOrThrow(inferRequestSchema, json, 'invalid inference request');
  }

  /**
   * KServe's explain verb: the infer request in; per row, each feature's KernelSHAP contribution
   * to the score (output `shap_values`, rows × features) and the background mean (`base_value`).
   */
  async function explain(orgId: string, name: string, version: number | null, body: string): Promise<unknown> {
    const request = parseInferBody(body);
    const { session, alias } = await resolveSession(orgId, name, version, request);
    if (session.info.inputShape.length !== 1)
      throw new AppError(
        'BAD_REQUEST',
        `model '${name}' takes sequences; explanations need a model of one row per prediction`,
      );
    const input = prepareInput(session, request);
    if (!input.ok) throw new AppError('BAD_REQUEST', input.error);
    if (input.rows > MAX_EXPLAIN_ROWS)
      throw new AppError(
        'BAD_REQUEST',
        `explain takes at most ${MAX_EXPLAIN_ROWS} rows per request, got ${input.rows}`,
      );
    const M = session.rowSize;
    const values: number[] = [];
    const base: number[] = [];
    const score: number[] = [];
    try {
      for (let r = 0; r < input.rows; r++) {
        const e = await explainRow(session, input.data.subarray(r * M, (r + 1) * M));
        values.push(...e.values);
        base.push(e.base);
        score.push(e.output);
      }
    } catch (err) {
      throw new AppError('INTERNAL_SERVER_ERROR', `explanation failed: ${(err as Error).message}`);
    }
    return {
      model_name: session.info.modelName,
      model_version: String(session.info.version),
      ...(request.id !== undefined ? { id: request.id } : {}),
      parameters: {
        version_id: session.info.id,
        method: 'kernel-shap',
        feature_names: session.info.featureNames.join(','),
        ...(alias ? { alias } : {}),
      },
      outputs: [
        { name: 'shap_values', datatype: 'FP64', shape: [input.rows, M], data: values },
        { name: 'base_value', datatype: 'FP64', shape: [input.rows], data: base },
        { name: 'score', datatype: 'FP64', shape: [input.rows], data: score },
      ],
    };
  }

  async function infer(orgId: string, name: string, version: number | null, body: string): Promise<unknown> {
    const request = parseInferBody(body);
    // A hot swap can retire a session between lookup and submit only across an await; retry once.
    for (let attempt = 0; ; attempt++) {
      const { session, alias } = await resolveSession(orgId, name, version, request);
      const input = prepareInput(session, request);
      if (!input.ok) throw new AppError('BAD_REQUEST', input.error, { issues: input.issues });
      const wanted = selectOutputs(session, request);
      if (!wanted.ok) throw new AppError('BAD_REQUEST', wanted.error);
      const start = process.hrtime.bigint();
      try {
        const out = await session.infer(input.data, input.rows);
        const labels = { ...session.metricLabels, source: 'http' };
        const us = Number(process.hrtime.bigint() - start) / 1000;
        inferenceMetrics.requestSeconds.observe(labels, us / 1e6);
        inferenceMetrics.predictions.inc(labels, input.rows);
        o.onServed?.(session.info.id, 'http', input.rows, us);
        o.onScored?.(session, input.data, input.rows, out);
        return buildResponse(session, alias, request, wanted.names, out);
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (session.retired && attempt === 0) continue;
        throw new AppError('INTERNAL_SERVER_ERROR', `inference failed: ${(err as Error).message}`);
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';

    if (path === '/v2' || path === '/v2/') {
      if (method !== 'GET') throw new AppError('METHOD_NOT_SUPPORTED', 'use GET');
      send(res, 200, OIP_SERVER);
      return;
    }
    if (path === '/v2/health/live') {
      send(res, 200, { live: true });
      return;
    }
    if (path === '/v2/health/ready') {
      const ready = o.ready();
      send(res, ready ? 200 : 503, ready ? { ready: true } : { ready: false, error: 'deployments are still loading' });
      return;
    }
    const route = parseModelPath(path);
    if (!route) throw new AppError('NOT_FOUND', `no route ${method} ${path}`);

    const auth = await o.auth.authenticate(ApiKeyAuth.bearer(req.headers.authorization, req.headers['x-api-key']));
    if (!auth.ok)
      throw new AppError(auth.status === 429 ? 'TOO_MANY_REQUESTS' : 'UNAUTHORIZED', auth.error, {
        retryAfterS: auth.retryAfterS,
      });

    if (route.action === 'infer') {
      if (method !== 'POST') throw new AppError('METHOD_NOT_SUPPORTED', 'use POST for infer');
      const body = await readBody(req);
      send(res, 200, await infer(auth.orgId, route.name, route.version, body));
      return;
    }
    if (route.action === 'explain') {
      if (method !== 'POST') throw new AppError('METHOD_NOT_SUPPORTED', 'use POST for explain');
      const body = await readBody(req);
      send(res, 200, await explain(auth.orgId, route.name, route.version, body));
      return;
    }
    if (method !== 'GET') throw new AppError('METHOD_NOT_SUPPORTED', 'use GET');
    const { session, versions } = await resolveSession(auth.orgId, route.name, route.version, null);
    if (route.action === 'ready') {
      send(res, 200, {
        name: route.name,
        ...(route.version !== null ? { version: String(route.version) } : {}),
        ready: !session.retired,
      });
      return;
    }
    const meta = modelMetadata(session, versions);
    // Metadata of an explicit version names that version first, as the protocol's examples do.
    send(res, 200, route.version !== null ? { ...meta, versions: [String(route.version)] } : meta);
  }

  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    // The OIP mapping of AppError (server/errors.ts): {"error", "code", "issues"} with its status.
    handle(req, res).catch((err: unknown) => {
      const app = asAppError(err);
      if (!app || app.code === 'INTERNAL_SERVER_ERROR') log.error({ err, path: req.url }, 'request failed');
      const answer = app ?? new AppError('INTERNAL_SERVER_ERROR', 'internal error');
      const close: Record<string, string> = answer.code === 'PAYLOAD_TOO_LARGE' ? { connection: 'close' } : {};
      if (!res.headersSent) send(res, answer.status, errorBody(answer), { ...errorHeaders(answer), ...close });
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
