import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import { presentedApiKey, verifyApiKey } from '~/server/auth/api-keys';
import type { RateLimit } from '~/server/auth/rate-limit';
import type { Role } from '~/server/auth/roles';
import { childLogger } from '~/server/observability/logger';

const log = childLogger('inference.auth');

export type AuthResult =
  | { ok: true; orgId: string; role: Role; apiKeyId: string }
  | { ok: false; status: 401 | 429; error: string; retryAfterS?: number };

interface Cached {
  result: AuthResult;
  at: number;
}

interface KeyBudget {
  /** Count in Redis's window as last seen, plus what this process added since. */
  shared: number;
  local: number;
  windowEndsAt: number;
}

/**
 * API-key authentication for the inference worker's HTTP API: the same keys as the portal's REST
 * API, checked by the same verifyApiKey (server/auth/api-keys.ts). At tens of thousands of
 * requests per second a database and Redis round trip per request would cost more than the
 * inference itself, so:
 * - a verified key is cached for `cacheMs` (a revoked key stops working within that time);
 * - the per-key rate limit (API_KEY_RATE_LIMIT, shared with the portal through the same Redis
 *   counter) is counted locally and added to Redis every `syncMs`, so across processes it is
 *   enforced within that lag.
 */
export class ApiKeyAuth {
  private cache = new Map<string, Cached>();
  private budgets = new Map<string, KeyBudget>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Pick<PrismaClient, 'apiKey'>,
    private readonly redis: Redis | null,
    private readonly o: { cacheMs: number; limit: RateLimit; syncMs?: number },
  ) {
    this.timer = setInterval(() => void this.sync(), o.syncMs ?? 250);
    this.timer.unref();
  }

  static bearer(header: string | string[] | undefined, xApiKey: string | string[] | undefined): string | null {
    return presentedApiKey(Array.isArray(header) ? header[0] : header, Array.isArray(xApiKey) ? xApiKey[0] : xApiKey);
  }

  async authenticate(key: string | null): Promise<AuthResult> {
    if (!key) return { ok: false, status: 401, error: 'Authenticate with an API key: Authorization: Bearer dlk_…' };
    const now = Date.now();
    const hit = this.cache.get(key);
    let result: AuthResult;
    if (hit && now - hit.at < this.o.cacheMs) result = hit.result;
    else {
      result = await this.verify(key);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { result, at: now });
    }
    if (!result.ok) return result;
    return this.count(result, now);
  }

  private async verify(key: string): Promise<AuthResult> {
    const check = await verifyApiKey(this.db, key);
    if (!check.ok) return { ok: false, status: 401, error: check.error };
    const { row } = check;
    return { ok: true, orgId: row.orgId, role: row.role, apiKeyId: row.id };
  }

  private count(result: Extract<AuthResult, { ok: true }>, now: number): AuthResult {
    let b = this.budgets.get(result.apiKeyId);
    if (!b || now >= b.windowEndsAt) {
      b = { shared: 0, local: b?.local ?? 0, windowEndsAt: now + this.o.limit.windowS * 1000 };
      this.budgets.set(result.apiKeyId, b);
    }
    if (b.shared + b.local >= this.o.limit.limit) {
      const retryAfterS = Math.max(1, Math.ceil((b.windowEndsAt - now) / 1000));
      return { ok: false, status: 429, error: `Too many requests; try again in ${retryAfterS} s`, retryAfterS };
    }
    b.local++;
    return result;
  }

  /** Adds local counts to the shared Redis counters (same keys as server/auth/rate-limit.ts). */
  private async sync(): Promise<void> {
    if (!this.redis) return;
    const entries = [...this.budgets].filter(([, b]) => b.local > 0);
    if (entries.length === 0) return;
    const m = this.redis.multi();
    for (const [id, b] of entries) {
      m.incrby(`rl:apikey:${id}`, b.local).ttl(`rl:apikey:${id}`);
      b.local = 0;
    }
    try {
      const res = (await m.exec()) ?? [];
      const expire = this.redis.multi();
      let needExpire = false;
      entries.forEach(([id, b], i) => {
        const count = Number(res[2 * i]?.[1] ?? 0);
        const ttl = Number(res[2 * i + 1]?.[1] ?? -1);
        b.shared = count;
        if (ttl < 0) {
          expire.expire(`rl:apikey:${id}`, this.o.limit.windowS);
          b.windowEndsAt = Date.now() + this.o.limit.windowS * 1000;
          needExpire = true;
        } else b.windowEndsAt = Date.now() + ttl * 1000;
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callback above
      if (needExpire) await expire.exec();
    } catch (err) {
      log.warn({ err }, 'rate-limit sync with Redis failed; counting locally');
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
