import { z } from 'zod';
import { GPU_MAX_BATCH } from '~/server/inference/batch-tuning';
import { parseProviders, type ProviderName } from '~/server/inference/providers';
import { aliasNameSchema } from '~/server/contracts/models';
import { CONSUMER_GROUPS, consumerGroup } from '~/server/kafka/topics';

/**
 * The inference worker's settings, from the environment (README notes list them):
 * INFERENCE_PROVIDERS (cuda,webgpu,cpu), INFERENCE_ALIAS (production), INFERENCE_HTTP_PORT (8500),
 * INFERENCE_HOST (127.0.0.1), INFERENCE_MAX_BATCH (256), INFERENCE_GPU_MAX_BATCH (8192),
 * INFERENCE_MAX_DELAY_US (500),
 * INFERENCE_MAX_CONCURRENT_RUNS (2), INFERENCE_INTRA_OP_THREADS (1), INFERENCE_ALERT_K (3),
 * INFERENCE_ALERT_N (5), INFERENCE_WINDOW_KIND (tumbling), INFERENCE_GROUP_ID (<KAFKA_TOPIC_PREFIX>drivelab-inference),
 * INFERENCE_AUTH_CACHE_MS (5000), INFERENCE_STATS_INTERVAL_MS (2000), INFERENCE_RECONCILE_S (30),
 * INFERENCE_RECORD_SERVED (true: streamed predictions are kept for outcome metrics).
 */
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  INFERENCE_PROVIDERS: z.string().optional(),
  INFERENCE_ALIAS: z
    .string()
    .default('production')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(aliasNameSchema).min(1)),
  INFERENCE_HTTP_PORT: int(8500, 0, 65535),
  INFERENCE_HOST: z.string().default('127.0.0.1'),
  INFERENCE_MAX_BATCH: int(256, 1, 65536),
  INFERENCE_GPU_MAX_BATCH: int(GPU_MAX_BATCH, 1, 65536),
  INFERENCE_MAX_DELAY_US: int(500, 0, 1_000_000),
  INFERENCE_MAX_CONCURRENT_RUNS: int(2, 1, 64),
  INFERENCE_INTRA_OP_THREADS: int(1, 0, 256),
  INFERENCE_ALERT_K: int(3, 1, 1000),
  INFERENCE_ALERT_N: int(5, 1, 1000),
  INFERENCE_WINDOW_KIND: z.enum(['tumbling', 'sliding', 'any']).default('tumbling'),
  INFERENCE_GROUP_ID: z.string().min(1).optional(),
  INFERENCE_AUTH_CACHE_MS: int(5000, 0, 3_600_000),
  INFERENCE_STATS_INTERVAL_MS: int(2000, 100, 600_000),
  INFERENCE_RECONCILE_S: int(30, 1, 86_400),
  INFERENCE_RECORD_SERVED: z.enum(['true', 'false']).default('true'),
});

export interface InferenceConfig {
  providers: ProviderName[];
  aliases: string[];
  httpPort: number;
  host: string;
  maxBatch: number;
  /** Largest batch of a session on a GPU provider (batchingFor). */
  gpuMaxBatch: number;
  maxDelayUs: number;
  maxConcurrentRuns: number;
  intraOpThreads: number;
  alert: { k: number; n: number };
  windowKind: 'tumbling' | 'sliding' | 'any';
  groupId: string;
  authCacheMs: number;
  statsIntervalMs: number;
  /** Seconds between comparisons of the served deployments with Postgres. */
  reconcileS: number;
  /** Keep streamed predictions (and shadow scores) in Postgres for outcome metrics. */
  recordServed: boolean;
}

export function parseInferenceConfig(source: Record<string, string | undefined>): InferenceConfig {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([k, v]) => k.startsWith('INFERENCE_') && v !== undefined && v !== ''),
  );
  const r = schema.safeParse(cleaned);
  if (!r.success)
    throw new Error(
      `Invalid inference settings:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  const e = r.data;
  if (e.INFERENCE_ALERT_K > e.INFERENCE_ALERT_N)
    throw new Error('Invalid inference settings: INFERENCE_ALERT_K must not exceed INFERENCE_ALERT_N');
  return {
    providers: parseProviders(e.INFERENCE_PROVIDERS),
    aliases: [...new Set(e.INFERENCE_ALIAS)],
    httpPort: e.INFERENCE_HTTP_PORT,
    host: e.INFERENCE_HOST,
    maxBatch: e.INFERENCE_MAX_BATCH,
    gpuMaxBatch: e.INFERENCE_GPU_MAX_BATCH,
    maxDelayUs: e.INFERENCE_MAX_DELAY_US,
    maxConcurrentRuns: e.INFERENCE_MAX_CONCURRENT_RUNS,
    intraOpThreads: e.INFERENCE_INTRA_OP_THREADS,
    alert: { k: e.INFERENCE_ALERT_K, n: e.INFERENCE_ALERT_N },
    windowKind: e.INFERENCE_WINDOW_KIND,
    // Group ids live on the broker, not under the topic prefix: prefix them too, so deployments
    // sharing a cluster never join each other's groups.
    groupId: e.INFERENCE_GROUP_ID ?? consumerGroup(CONSUMER_GROUPS.inference, source.KAFKA_TOPIC_PREFIX ?? ''),
    authCacheMs: e.INFERENCE_AUTH_CACHE_MS,
    statsIntervalMs: e.INFERENCE_STATS_INTERVAL_MS,
    reconcileS: e.INFERENCE_RECONCILE_S,
    recordServed: e.INFERENCE_RECORD_SERVED === 'true',
  };
}
