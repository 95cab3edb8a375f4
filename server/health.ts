import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { db } from './db';
import { env } from './env';
import { createKafka } from './kafka/client';
import { redis } from './store/redis';
import { metrics } from './observability/metrics';

export const serviceHealthSchema = z.object({
  up: z.boolean(),
  latencyMs: z.number(),
  detail: z.string().optional(),
  error: z.string().optional(),
});
export type ServiceHealth = z.infer<typeof serviceHealthSchema>;

export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checkedAt: z.string(),
  services: z.object({ kafka: serviceHealthSchema, postgres: serviceHealthSchema, redis: serviceHealthSchema }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

export type Check = () => Promise<string | undefined>;

/** Runs one dependency check with a deadline; a hung dependency reads as down, not as a hung page. */
export async function timedCheck(
  name: string,
  check: Check,
  timeoutMs: number = env.HEALTH_TIMEOUT_MS,
): Promise<ServiceHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const latencyMs = round(performance.now() - started);
    metrics.healthCheckSeconds.observe({ service: name, up: 'true' }, latencyMs / 1000);
    return { up: true, latencyMs, ...(detail ? { detail } : {}) };
  } catch (err) {
    const latencyMs = round(performance.now() - started);
    metrics.healthCheckSeconds.observe({ service: name, up: 'false' }, latencyMs / 1000);
    return { up: false, latencyMs, error: (err as Error).message || String(err) };
  } finally {
    clearTimeout(timer);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

const globalForHealth = globalThis as typeof globalThis & { drivelabHealthKafka?: Kafka };

function healthKafka(): Kafka {
  // No retries: a health check reports the state now, it does not wait for Kafka to come back.
  return (globalForHealth.drivelabHealthKafka ??= createKafka({
    clientId: `${env.KAFKA_CLIENT_ID}-health`,
    retries: 0,
    connectionTimeout: 1500,
    requestTimeout: 3000,
  }));
}

export const checkKafka: Check = async () => {
  const admin = healthKafka().admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    return `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'none'}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

export const checkPostgres: Check = async () => {
  const rows = await db.$queryRawUnsafe<{ version: string }[]>("SELECT current_setting('server_version') AS version");
  return `PostgreSQL ${rows[0]?.version ?? '?'}`;
};

export const checkRedis: Check = async () => {
  const client = redis();
  const pong = await client.ping();
  // ioredis types the reply as 'PONG'; a proxy in between can answer anything.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (pong !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(pong)}`);
  return undefined;
};

export async function healthReport(
  checks: { kafka: Check; postgres: Check; redis: Check } = {
    kafka: checkKafka,
    postgres: checkPostgres,
    redis: checkRedis,
  },
): Promise<HealthReport> {
  const [kafka, postgres, redis_] = await Promise.all([
    timedCheck('kafka', checks.kafka),
    timedCheck('postgres', checks.postgres),
    timedCheck('redis', checks.redis),
  ]);
  const services = { kafka, postgres, redis: redis_ };
  return {
    status: kafka.up && postgres.up && redis_.up ? 'ok' : 'degraded',
    checkedAt: new Date().toISOString(),
    services,
  };
}
