import { AppError } from '../errors';
import type { Redis } from 'ioredis';

export interface RateLimit {
  limit: number;
  windowS: number;
}

export interface RateState {
  allowed: boolean;
  count: number;
  remaining: number;
  /** Seconds until the window resets; what a 429's Retry-After says. */
  retryAfterS: number;
}

/**
 * Fixed-window counters in Redis, shared by every web instance. `hit` counts one event;
 * `peek` only reads (sign-in counts failures, but must refuse before checking a password).
 */
export async function hit(redis: Redis, key: string, rule: RateLimit): Promise<RateState> {
  const k = `rl:${key}`;
  const [[, count], [, ttl]] = (await redis.multi().incr(k).ttl(k).exec()) as [[null, number], [null, number]];
  let retryAfterS = ttl;
  if (ttl < 0) {
    await redis.expire(k, rule.windowS);
    retryAfterS = rule.windowS;
  }
  return {
    allowed: count <= rule.limit,
    count,
    remaining: Math.max(0, rule.limit - count),
    retryAfterS: Math.max(1, retryAfterS),
  };
}

export async function peek(redis: Redis, key: string, rule: RateLimit): Promise<RateState> {
  const k = `rl:${key}`;
  const [[, raw], [, ttl]] = (await redis.multi().get(k).ttl(k).exec()) as [[null, string | null], [null, number]];
  const count = Number(raw ?? 0);
  return {
    allowed: count < rule.limit,
    count,
    remaining: Math.max(0, rule.limit - count),
    retryAfterS: Math.max(1, ttl > 0 ? ttl : rule.windowS),
  };
}

export async function reset(redis: Redis, key: string): Promise<void> {
  await redis.del(`rl:${key}`);
}

/** Over a rate limit: TOO_MANY_REQUESTS with retryAfterS, which every transport turns into Retry-After. */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterS: number,
    message = `Too many requests; try again in ${retryAfterS} s`,
  ) {
    super('TOO_MANY_REQUESTS', message, { retryAfterS });
    this.name = 'RateLimitedError';
  }
}
