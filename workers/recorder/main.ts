import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka } from '~/server/kafka/client';
import { logger } from '~/server/observability/logger';
import { objectStore } from '~/server/store/object-store';
import { runWorker } from '~/server/worker/runtime';
import { recorderConfig } from './config';
import { startRecorder } from './recorder';

/**
 * The recorder worker: every run's telemetry and events into one MCAP file per run in the object
 * store. Run exactly one copy (see recorder.ts for why, and for the delivery guarantee).
 */
const log = logger.child({ worker: 'recorder' });
const config = recorderConfig();

await runWorker({
  name: 'recorder',
  async start() {
    const kafka = createKafka({ clientId: 'drivelab-recorder' });
    const store = objectStore();
    const swept = await store.sweepUnfinished(config.unfinishedMaxAgeMs).catch((err: unknown) => {
      log.warn({ err }, 'could not sweep unfinished recordings');
      return 0;
    });
    if (swept > 0) log.info({ swept }, 'removed unfinished recordings left by a crashed recorder');
    const handle = await startRecorder({
      kafka,
      store,
      prefix: env.KAFKA_TOPIC_PREFIX,
      policy: config.policy,
      tickMs: config.tickMs,
      groupId: config.groupId,
      sessionTimeoutMs: config.sessionTimeoutMs,
      runOrg: async (runId) =>
        (await db.run.findUnique({ where: { id: runId }, select: { orgId: true } }))?.orgId ?? null,
      onFatal: (err) => {
        // Nothing past the failed file was committed: exiting lets a restart replay it.
        log.fatal({ err }, 'recorder cannot continue');
        process.exit(1);
      },
    });
    log.info({ dataDir: env.DATA_DIR, groupId: config.groupId, ...config.policy }, 'recorder ready');
    return {
      ready: () => handle.ready(),
      async stop() {
        await handle.stop();
        await db.$disconnect();
      },
    };
  },
});
