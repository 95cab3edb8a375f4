import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { z } from 'zod';
import { InvalidCredentialsError, resolveCaller } from '../auth/caller';
import { RateLimitedError } from '../auth/rate-limit';
import { hasRole, type Role } from '../auth/roles';
import { db } from '../db';
import { redis } from '../store/redis';

export interface RestAuth {
  orgId: string;
  orgSlug: string;
  role: Role;
  actor: { userId?: string; apiKeyId?: string; label: string };
}

export function jsonError(
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return Response.json({ error, ...extra }, { status, headers });
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
    if (err instanceof RateLimitedError)
      return jsonError(429, err.message, { retryAfterS: err.retryAfterS }, { 'Retry-After': String(err.retryAfterS) });
    if (err instanceof InvalidCredentialsError) return jsonError(401, err.message);
    throw err;
  }
  if (caller.kind === 'anonymous')
    return jsonError(
      401,
      'Authenticate with an API key: Authorization: Bearer dlk_…',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  if (caller.kind === 'apiKey') {
    const org = await db.organization.findUnique({ where: { id: caller.orgId }, select: { slug: true } });
    if (!org) return jsonError(404, 'Organization not found');
    if (!hasRole(caller.role, minRole))
      return jsonError(403, `This needs the ${minRole} role; the key has ${caller.role}.`);
    return {
      orgId: caller.orgId,
      orgSlug: org.slug,
      role: caller.role,
      actor: { apiKeyId: caller.apiKeyId, label: caller.label },
    };
  }
  const slug = new URL(req.url).searchParams.get('org');
  if (!slug) return jsonError(400, 'Which organization? Add ?org=<slug>.');
  const m = await db.membership.findFirst({
    where: { userId: caller.userId, org: { slug } },
    select: { role: true, orgId: true },
  });
  if (!m) return jsonError(404, 'Organization not found');
  if (!hasRole(m.role, minRole)) return jsonError(403, `This needs the ${minRole} role; you are ${m.role}.`);
  return { orgId: m.orgId, orgSlug: slug, role: m.role, actor: { userId: caller.userId, label: caller.email } };
}

/** Parses a JSON body with its contract; a clear 400 lists what is wrong. */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S> | Response> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return jsonError(400, 'The body must be JSON');
  }
  const r = schema.safeParse(body);
  if (!r.success)
    return jsonError(400, 'Invalid request body', {
      issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return r.data;
}

export function trpcErrorToResponse(err: unknown): Response {
  if (err instanceof TRPCError) return jsonError(getHTTPStatusCodeFromError(err), err.message);
  throw err;
}
