import { z } from 'zod';

/**
 * The one zod-validated view of process.env. Every default lets a fresh clone run with the
 * services that `npm run stack:up` provides; the README's configuration table mirrors this file.
 */
const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1));

const rate = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected "<count>/<seconds>", e.g. 5/900')
  .transform((s) => {
    const [limit, windowS] = s.split('/').map(Number);
    return { limit: limit!, windowS: windowS! };
  })
  .pipe(z.object({ limit: z.number().int().min(1), windowS: z.number().int().min(1) }));

const intFromString = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: intFromString(3000, 1, 65535),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgresql://postgres@127.0.0.1:5432/drivelab'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),

  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('drivelab'),
  // Lets tests and several deployments share one cluster without seeing each other's topics.
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"')
    .default(''),
  KAFKA_PARTITIONS: intFromString(6, 1, 1024),
  // Per-topic overrides, e.g. "dl.telemetry=12,dl.features=12" (see server/kafka/topics.ts).
  KAFKA_TOPIC_PARTITIONS: z.string().optional(),
  KAFKA_REPLICATION_FACTOR: intFromString(1, 1, 16),
  // Managed Kafka / Strimzi: SASL over TLS. Unset mechanism = no SASL; KAFKA_SSL=1 = TLS, trusting
  // the system CAs plus KAFKA_SSL_CA_FILE; cert + key files for mutual TLS (Strimzi's tls auth).
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),

  DATA_DIR: z.string().default('.state/data'),
  // S3-compatible object store instead of DATA_DIR (AWS S3, MinIO, Ceph, R2…): set the endpoint.
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().min(3).default('drivelab'),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['0', '1']).default('1'),
  S3_PREFIX: z.string().default(''),

  // Signs session cookies. Unset: a random secret is created once under .state/ (one machine).
  NEXTAUTH_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  NEXTAUTH_URL: z.url().optional(),
  SESSION_MAX_AGE_S: intFromString(8 * 3600, 60, 30 * 24 * 3600),
  // Optional OpenID Connect provider (Keycloak, Auth0, Entra ID, …), shown only when all three are set.
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default('Single sign-on'),
  // The ID-token / userinfo claim holding the user's groups or roles (Keycloak: "groups").
  OIDC_GROUPS_CLAIM: z.string().min(1).max(100).default('groups'),
  // "<count>/<seconds>": failed sign-ins per email, and requests per API key.
  SIGNIN_RATE_LIMIT: rate.default({ limit: 5, windowS: 900 }),
  API_KEY_RATE_LIMIT: rate.default({ limit: 1200, windowS: 60 }),
  // Accounts created per client address.
  SIGNUP_RATE_LIMIT: rate.default({ limit: 20, windowS: 3600 }),
  // A running run with no status for this long is failed (its simulator died).
  RUN_HEARTBEAT_TIMEOUT_S: intFromString(20, 2, 3600),
  INVITE_TTL_HOURS: intFromString(72, 1, 24 * 90),
  // Use X-Forwarded-For for client addresses (only behind a proxy you run).
  TRUST_PROXY: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  METRICS_PORT: intFromString(0, 0, 65535),
  // Address of a worker's /metrics, /healthz and /readyz port: 0.0.0.0 in a container or pod.
  METRICS_HOST: z.string().default('127.0.0.1'),
  // How long a worker may take to stop consuming, flush and commit after SIGTERM before it exits
  // anyway (default: the worker's own, 20 s; the trainer's 30 s). Keep the orchestrator's grace
  // period above preStop + this.
  WORKER_DRAIN_S: z.coerce.number().int().min(1).max(3600).optional(),
  HEALTH_TIMEOUT_MS: intFromString(2000, 100, 60000),
  // The process's name on every log line and metric (the demo launcher sets it per process).
  DRIVELAB_SERVICE: z.string().min(1).default('web'),
  // Telemetry frames per second and vehicle that the live relay sends to browsers.
  LIVE_RATE_HZ: z.coerce.number().positive().max(1000).default(10),
  // ONNX Runtime execution providers of the predict API, e.g. "cuda,cpu" (server/inference/providers.ts).
  INFERENCE_PROVIDERS: z.string().optional(),

  // Simulator worker (workers/sim).
  SIM_MAX_CONCURRENT_RUNS: intFromString(4, 1, 1000),
  SIM_COMMAND_MAX_AGE_S: intFromString(600, 1),

  // Features worker (workers/features): see its main.ts and the README's configuration table.
  FEATURES_GROUP_ID: z.string().min(1).optional(),
  FEATURES_ONLINE_TTL_S: intFromString(3600, 1),
  FEATURES_REQUIRE_RUN: z.enum(['0', '1']).default('0'),
  FEATURES_COMMIT_INTERVAL_MS: intFromString(1000, 1),
  FEATURES_FINISH_GRACE_MS: intFromString(10_000, 0),
  // The broker refuses less than its group.min.session.timeout.ms (6000 by default): main.ts raises it.
  FEATURES_SESSION_TIMEOUT_MS: intFromString(30_000, 1),
  // Unset: one per spare core, at most 2 (0 parses on the main thread).
  FEATURES_DECODE_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  FEATURES_PREFETCH_BATCHES: intFromString(8, 1, 1000),
});

export type Env = z.infer<typeof envSchema>;

/** Settings that only make sense together; each mistake named, not found at the first connect. */
function crossChecks(e: Env): string[] {
  const errors: string[] = [];
  if (e.KAFKA_SASL_MECHANISM && (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD))
    errors.push('KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  if (!e.KAFKA_SASL_MECHANISM && (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD))
    errors.push('KAFKA_SASL_USERNAME/PASSWORD: set KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)');
  if (!e.KAFKA_SSL && (e.KAFKA_SSL_CA_FILE || e.KAFKA_SSL_CERT_FILE || e.KAFKA_SSL_KEY_FILE))
    errors.push('KAFKA_SSL_*_FILE: set KAFKA_SSL=1 as well');
  if (Boolean(e.KAFKA_SSL_CERT_FILE) !== Boolean(e.KAFKA_SSL_KEY_FILE))
    errors.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both (mutual TLS) or neither');
  return errors;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "not set", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const errors = crossChecks(result.data);
  if (errors.length > 0) throw new Error(`Invalid environment:\n${errors.map((l) => `  ${l}`).join('\n')}`);
  return result.data;
}

export const env: Env = parseEnv(process.env);
