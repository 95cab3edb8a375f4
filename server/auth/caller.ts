import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import { env } from '../env';
import { AppError } from '../errors';
import { presentedApiKey, verifyApiKey } from './api-keys';
import { hit, RateLimitedError } from './rate-limit';
import type { Role } from './roles';
import { sessionUserId } from './session';

export type Caller =
  | { kind: 'user'; userId: string; email: string; name: string | null }
  | { kind: 'apiKey'; apiKeyId: string; orgId: string; role: Role; label: string }
  | { kind: 'anonymous' };

/** A presented credential that is wrong, revoked or expired: UNAUTHORIZED on every transport. */
export class InvalidCredentialsError extends AppError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
    this.name = 'InvalidCredentialsError';
  }
}

export function bearerKey(headers: Headers): string | null {
  return presentedApiKey(headers.get('authorization'), headers.get('x-api-key'));
}

/** How often lastUsedAt is written for a busy key; every request would turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Who is calling: an API key (Authorization: Bearer or X-API-Key) or a signed-in user (session
 * cookie). A presented key that is wrong, revoked or expired is an error, never a silent
 * fallback to anonymous; a key over its rate limit raises RateLimitedError.
 */
export async function resolveCaller(headers: Headers, deps: { db: PrismaClient; redis: () => Redis }): Promise<Caller> {
  const key = bearerKey(headers);
  if (key) {
    const check = await verifyApiKey(deps.db, key);
    if (!check.ok) throw new InvalidCredentialsError(check.error);
    const row = check.row;
    const rate = await hit(deps.redis(), `apikey:${row.id}`, env.API_KEY_RATE_LIMIT);
    if (!rate.allowed) throw new RateLimitedError(rate.retryAfterS);
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      void deps.db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return {
      kind: 'apiKey',
      apiKeyId: row.id,
      orgId: row.orgId,
      role: row.role,
      label: `${row.name} (dlk_${row.prefix}…)`,
    };
  }
  const session = await sessionUserId(headers.get('cookie'));
  if (session) {
    const user = await deps.db.user.findUnique({
      where: { id: session.userId },
      select: { id: true, email: true, name: true },
    });
    if (user) return { kind: 'user', userId: user.id, email: user.email, name: user.name };
  }
  return { kind: 'anonymous' };
}

export function clientIp(headers: Headers): string | null {
  if (env.TRUST_PROXY) {
    const fwd = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  return headers.get('x-drivelab-client-ip');
}
