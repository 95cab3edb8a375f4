import type { z } from 'zod';
import { resolveCaller } from '../auth/caller';
import { assertSafeInput, singleLine } from '../contracts/strings';
import { hasRole, type Role } from '../auth/roles';
import { db } from '../db';
import {
  APP_ERROR_STATUS,
  AppError,
  asAppError,
  errorBody,
  errorHeaders,
  INTERNAL_MESSAGE,
  parseOrThrow,
  type AppErrorCode,
  type ErrorIssue,
} from '../errors';
import { childLogger } from '../observability/logger';
import { redis } from '../store/redis';
import { BODY_LIMITS, readJsonBody } from './limits';

const log = childLogger('rest');
const orgSlugParam = singleLine(64);

export interface RestAuth {
  orgId: string;
  orgSlug: string;
  role: Role;
  actor: { userId?: string; apiKeyId?: string; label: string };
}

/**
 * The REST mapping of AppError (server/errors.ts): status from the code, the one error body
 * ({ error, code, issues }), Retry-After / WWW-Authenticate where the code implies them.
 */
export function errorResponse(err: AppError): Response {
  return Response.json(errorBody(err), { status: err.status, headers: errorHeaders(err) });
}

/** An error answer built in place; the same shape as a thrown AppError. */
export function jsonError(
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const code = (Object.keys(APP_ERROR_STATUS) as AppErrorCode[]).find((c) => APP_ERROR_STATUS[c] === status);
  const { issues, ...rest } = extra as { issues?: Partial<ErrorIssue>[] };
  const normalised = issues?.map((i) => ({ path: i.path ?? '', code: i.code ?? 'invalid', message: i.message ?? '' }));
  const err = new AppError(code ?? 'BAD_REQUEST', error, { issues: normalised, extra: rest });
  return Response.json(errorBody(err), { status, headers: { ...errorHeaders(err), ...headers } });
}

/**
 * Wraps a route handler: the path parameters (Next's `{ params }` context) pass the string input
 * policy first, so a lone surrogate or NUL in a path segment is a 400 naming it, never a string
 * the database refuses; an AppError (or ZodError) thrown anywhere below becomes its error
 * response; anything else is a bug, logged with the path and answered 500 without details.
 */
export function restRoute<A extends unknown[]>(
  handler: (req: Request, ...rest: A) => Promise<Response>,
): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    try {
      const context = rest[0] as { params?: Promise<unknown> } | undefined;
      if (context?.params) assertSafeInput(await context.params);
      return await handler(req, ...rest);
    } catch (err) {
      const app = asAppError(err);
      if (app) return errorResponse(app);
      log.error({ err, method: req.method, path: new URL(req.url).pathname }, 'REST request failed');
      return errorResponse(new AppError('INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE));
    }
  };
}

/**
 * The REST twin of the org-scoped tRPC procedure, for /api/v1: an API key (Bearer or X-API-Key)
 * names its org; a signed-in user names it with ?org=<slug>. Same NOT_FOUND for non-members,
 * FORBIDDEN below the least role, 429 with Retry-After over the rate limit.
 */
export async function authenticateRest(req: Request, minRole: Role): Promise<RestAuth | Response> {
  let caller;
  try {
    caller = await resolveCaller(req.headers, { db, redis });
  } catch (err) {
    if (err instanceof AppError) return errorResponse(err);
    throw err;
  }
  if (caller.kind === 'anonymous')
    return errorResponse(new AppError('UNAUTHORIZED', 'Authenticate with an API key: Authorization: Bearer dlk_…'));
  if (caller.kind === 'apiKey') {
    const org = await db.organization.findUnique({ where: { id: caller.orgId }, select: { slug: true } });
    if (!org) return errorResponse(new AppError('NOT_FOUND', 'Organization not found'));
    if (!hasRole(caller.role, minRole))
      return errorResponse(new AppError('FORBIDDEN', `This needs the ${minRole} role; the key has ${caller.role}.`));
    return {
      orgId: caller.orgId,
      orgSlug: org.slug,
      role: caller.role,
      actor: { apiKeyId: caller.apiKeyId, label: caller.label },
    };
  }
  const slug = new URL(req.url).searchParams.get('org');
  if (!slug) return errorResponse(new AppError('BAD_REQUEST', 'Which organization? Add ?org=<slug>.'));
  const badSlug = orgSlugParam.safeParse(slug);
  if (!badSlug.success) return errorResponse(AppError.fromZod(badSlug.error, 'Invalid query', ['org']));
  const m = await db.membership.findFirst({
    where: { userId: caller.userId, org: { slug } },
    select: { role: true, orgId: true },
  });
  if (!m) return errorResponse(new AppError('NOT_FOUND', 'Organization not found'));
  if (!hasRole(m.role, minRole))
    return errorResponse(new AppError('FORBIDDEN', `This needs the ${minRole} role; you are ${m.role}.`));
  return { orgId: m.orgId, orgSlug: slug, role: m.role, actor: { userId: caller.userId, label: caller.email } };
}

/**
 * Parses a JSON body with its contract: 413 over the size limit (before reading it whole), 400
 * for text that is not JSON or nests deeper than MAX_JSON_DEPTH, 400 listing what is wrong.
 */
export async function parseJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  limit: number = BODY_LIMITS.restJson,
): Promise<z.infer<S> | Response> {
  try {
    const body = await readJsonBody(req, limit);
    assertSafeInput(body);
    return parseOrThrow(schema, body, 'Invalid request body');
  } catch (err) {
    if (err instanceof AppError) return errorResponse(err);
    throw err;
  }
}

/**
 * A POST route that takes a JSON body: restRoute, then authenticateRest with the least role, then
 * parseJsonBody with the contract; the handler sees only a caller and a valid body.
 */
export function jsonBodyRoute<S extends z.ZodType>(
  minRole: Role,
  schema: S,
  handler: (body: z.infer<S>, auth: RestAuth, req: Request) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return restRoute(async (req: Request) => {
    const auth = await authenticateRest(req, minRole);
    if (auth instanceof Response) return auth;
    const body = await parseJsonBody(req, schema);
    if (body instanceof Response) return body;
    return handler(body, auth, req);
  });
}
