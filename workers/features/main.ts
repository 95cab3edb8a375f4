import pg from 'pg';
import { env } from '~/server/env';
import { createKafka } from '~/server/kafka/client';
import { CONSUMER_GROUPS, consumerGroup } from '~/server/kafka/topics';
import { logger } from '~/server/observability/logger';
import { createRedis } from '~/server/store/redis';
import { runWorker } from '~/server/worker/runtime';
import { spareCores } from './decode-pool';
import { startFeaturesWorker } from './features-worker';

/**
 * The features worker process: `npx tsx workers/features/main.ts`. Scale out by starting more
 * copies; the consumer group spreads dl.telemetry's partitions over them.
 *
 * FEATURES_GROUP_ID (<KAFKA_TOPIC_PREFIX>drivelab-features), FEATURES_ONLINE_TTL_S (3600), FEATURES_REQUIRE_RUN (0),
 * FEATURES_COMMIT_INTERVAL_MS (1000), FEATURES_FINISH_GRACE_MS (10000), FEATURES_SESSION_TIMEOUT_MS
 * (30000, at least 6000: the broker's group.min.session.timeout.ms), FEATURES_DECODE_THREADS (one per spare
 * core, at most 2; 0 parses on the main thread) and FEATURES_PREFETCH_BATCHES (8) tune it.
 */
const log = logger.child({ worker: 'features' });

await runWorker({
  name: 'features',
  async start() {
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
    // An idle connection that Postgres closes (a restart, a failover) is an 'error' event on the
    // pool; unhandled, it was an uncaught exception that killed the worker (chaos test, issue 18).
    // The pool drops that client and connects a new one for the next query.
    pool.on('error', (err) => log.warn({ err: err.message }, 'idle Postgres connection lost'));
    const redis = createRedis();
    redis.on('error', (err) => log.warn({ err }, 'redis error'));
    const worker = await startFeaturesWorker({
      kafka: createKafka({ clientId: 'drivelab-features' }),
      pool,
      redis,
      // Prefixed like the topics, so deployments sharing a broker never share the group.
      groupId: env.FEATURES_GROUP_ID ?? consumerGroup(CONSUMER_GROUPS.features, env.KAFKA_TOPIC_PREFIX),
      onlineTtlS: env.FEATURES_ONLINE_TTL_S,
      requireRun: env.FEATURES_REQUIRE_RUN === '1',
      commitIntervalMs: env.FEATURES_COMMIT_INTERVAL_MS,
      finishGraceMs: env.FEATURES_FINISH_GRACE_MS,
      sessionTimeoutMs: Math.max(6000, env.FEATURES_SESSION_TIMEOUT_MS),
      decodeThreads: env.FEATURES_DECODE_THREADS ?? spareCores(),
      prefetchBatches: env.FEATURES_PREFETCH_BATCHES,
      // A sink that keeps failing: exit, and the restart replays from the last commit.
      onFatal: () => process.kill(process.pid, 'SIGTERM'),
    });
    log.info('features worker consuming');
    return {
      ready: () => worker.ready(),
      async stop() {
        await worker.stop();
        redis.disconnect();
        await pool.end();
      },
    };
  },
});
