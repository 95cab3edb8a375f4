import type { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import { env } from '../env';
import { metrics } from '../observability/metrics';
import { PipelineProbe, type PipelineSnapshot } from './pipeline';

/**
 * drivelab_kafka_consumer_group_lag{group,topic}: the lag of every platform consumer group, read
 * from the broker when Prometheus scrapes the web process (at most every 10 s; a slow broker
 * leaves the previous values). Alerts and KEDA look at the same number: committed vs end offsets.
 */
export function registerLagGauge(kafka: Kafka, options: { prefix?: string; maxAgeMs?: number } = {}): Gauge {
  // A scrape must not wait on retries: the probe's admin fails fast, and the gauge keeps old values.
  const probe = new PipelineProbe(kafka, options.prefix ?? env.KAFKA_TOPIC_PREFIX, { retry: { retries: 0 } });
  let last: PipelineSnapshot | undefined;
  let pending: Promise<void> | undefined;
  const refresh = () =>
    (pending ??= probe
      .snapshot()
      .then((s) => void (last = s))
      .catch(() => undefined)
      .finally(() => (pending = undefined)));
  const existing = metrics.registry.getSingleMetric('drivelab_kafka_consumer_group_lag');
  if (existing) metrics.registry.removeSingleMetric('drivelab_kafka_consumer_group_lag');
  return new Gauge({
    name: 'drivelab_kafka_consumer_group_lag',
    help: 'Messages not yet committed by a consumer group on its topic (all partitions)',
    labelNames: ['group', 'topic'] as const,
    registers: [metrics.registry],
    async collect() {
      if (!last || Date.now() - last.at > (options.maxAgeMs ?? 10_000)) {
        await Promise.race([refresh(), new Promise((r) => setTimeout(r, 3000).unref())]);
      }
      this.reset();
      for (const g of last?.groups ?? []) this.set({ group: g.groupId, topic: g.topic }, g.lag);
    },
  });
}
