import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka } from '~/server/kafka/client';
import { logger } from '~/server/observability/logger';
import { objectStore } from '~/server/store/object-store';
import { createRedis } from '~/server/store/redis';
import { runWorker } from '~/server/worker/runtime';
import { parseInferenceConfig } from './config';
import { startInferenceWorker } from './worker';

/**
 * The inference worker process: `npx tsx workers/inference/main.ts`. Settings: see config.ts.
 * INFERENCE_STREAMING=0 serves HTTP only (no dl.features consumer). Scale out by starting more copies (they share dl.features' partitions; each reads every
 * dl.models message); put the OIP HTTP ports behind any load balancer.
 */
const log = logger.child({ worker: 'inference' });
const config = parseInferenceConfig(process.env);

await runWorker({
  name: 'inference',
  async start() {
    const redis = createRedis();
    redis.on('error', (err) => log.warn({ err }, 'redis error'));
    const worker = await startInferenceWorker({
      config,
      kafka: createKafka({ clientId: 'drivelab-inference' }),
      db,
      redis,
      store: objectStore(),
      rateLimit: env.API_KEY_RATE_LIMIT,
      streaming: process.env.INFERENCE_STREAMING !== '0',
    });
    return {
      ready: () => worker.ready(),
      async stop() {
        await worker.stop();
        redis.disconnect();
        await db.$disconnect();
      },
    };
  },
});
