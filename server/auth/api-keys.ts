import type { ApiKey, PrismaClient } from '@prisma/client';
import { parseApiKey, safeEqualHex, sha256 } from './tokens';

/**
 * The key a request presents: `Authorization: Bearer …`, else `X-API-Key`. Takes the two header
 * values rather than a headers object because the portal reads fetch Headers and the inference
 * worker Node's IncomingHttpHeaders.
 */
export function presentedApiKey(
  authorization: string | null | undefined,
  xApiKey: string | null | undefined,
): string | null {
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return xApiKey?.trim() || null;
}

export type ApiKeyCheck = { ok: true; row: ApiKey } | { ok: false; error: string };

/**
 * Checks a presented key against its stored row; the one place that decides which keys are
 * valid, for the portal (caller.ts) and the inference worker alike. A refusal carries only the
 * message: each caller has its own error shape (an exception, a 401 result). Rate limiting is
 * also the caller's, since the worker counts locally and the portal in Redis.
 */
export async function verifyApiKey(db: Pick<PrismaClient, 'apiKey'>, key: string): Promise<ApiKeyCheck> {
  const parsed = parseApiKey(key);
  if (!parsed) return { ok: false, error: 'Malformed API key' };
  const row = await db.apiKey.findUnique({ where: { prefix: parsed.prefix } });
  if (!row || !safeEqualHex(row.hash, sha256(key))) return { ok: false, error: 'Unknown API key' };
  if (row.revokedAt) return { ok: false, error: 'This API key has been revoked' };
  if (row.expiresAt && row.expiresAt < new Date()) return { ok: false, error: 'This API key has expired' };
  return { ok: true, row };
}
