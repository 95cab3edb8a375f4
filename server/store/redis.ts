import { Redis, type RedisOptions } from 'ioredis';
import { env } from '../env';

/**
 * Redis clients fail fast when Redis is away: a command waits at most commandTimeout and is
 * retried once, so callers (health checks, rate limits, the online store) decide what an outage
 * means for them instead of hanging.
 */
export function createRedis(url: string = env.REDIS_URL, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}

const globalForRedis = globalThis as typeof globalThis & { drivelabRedis?: Redis };

/** The process-wide client; created on first use so importing this module opens no socket. */
export function redis(): Redis {
  if (!globalForRedis.drivelabRedis) {
    globalForRedis.drivelabRedis = createRedis();
    // Errors surface through the commands that fail; an unhandled 'error' event would crash the process.
    globalForRedis.drivelabRedis.on('error', () => undefined);
  }
  return globalForRedis.drivelabRedis;
}
