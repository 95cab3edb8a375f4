import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { env } from '../env';

/**
 * One prom-client registry per process. It is kept on globalThis so that Next.js route bundles
 * and server.ts, which load this module separately, still share it.
 */
const globalForMetrics = globalThis as typeof globalThis & { drivelabMetrics?: ReturnType<typeof createMetrics> };

function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: env.DRIVELAB_SERVICE });
  collectDefaultMetrics({ register: registry, prefix: 'drivelab_' });

  const kafkaMessagesIn = new Counter({
    name: 'drivelab_kafka_messages_in_total',
    help: 'Kafka messages consumed and accepted, by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const kafkaMessagesOut = new Counter({
    name: 'drivelab_kafka_messages_out_total',
    help: 'Kafka messages produced, by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const kafkaRejected = new Counter({
    name: 'drivelab_kafka_rejected_total',
    help: 'Kafka messages rejected by a consumer and sent to the DLQ, by source topic and reason',
    labelNames: ['topic', 'reason'] as const,
    registers: [registry],
  });
  const healthCheckSeconds = new Histogram({
    name: 'drivelab_health_check_seconds',
    help: 'Latency of dependency health checks',
    labelNames: ['service', 'up'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const httpRequestSeconds = new Histogram({
    name: 'drivelab_http_request_seconds',
    help: 'HTTP request latency by route group and status class',
    labelNames: ['route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return { registry, kafkaMessagesIn, kafkaMessagesOut, kafkaRejected, healthCheckSeconds, httpRequestSeconds };
}

export const metrics = globalForMetrics.drivelabMetrics ?? (globalForMetrics.drivelabMetrics = createMetrics());
