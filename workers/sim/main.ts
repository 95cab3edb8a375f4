import { hostname } from 'node:os';
import { Gauge } from 'prom-client';
import { simCommandSchema } from '~/server/contracts/sim-commands';
import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka, createProducer } from '~/server/kafka/client';
import { CONSUMER_GROUPS, consumerGroup, TOPICS } from '~/server/kafka/topics';
import { runValidatedConsumer } from '~/server/kafka/typed';
import { loadOrgRoadMap } from '~/server/maps/org-maps';
import { logger } from '~/server/observability/logger';
import { metrics } from '~/server/observability/metrics';
import { runWorker } from '~/server/worker/runtime';
import { kafkaRunPublisher } from './kafka-publisher';
import { RunManager } from './run-manager';

/**
 * The simulator worker: a consumer group on dl.sim.commands. Runs execute beside the consumer,
 * so a cancel is read while its run is in progress; scale out by starting more copies.
 */
const maxConcurrent = env.SIM_MAX_CONCURRENT_RUNS;
// The group reads from the beginning the first time, so no command sent before the first worker
// joined is lost; commands older than this are reported failed instead of started late.
const maxCommandAgeMs = env.SIM_COMMAND_MAX_AGE_S * 1000;
const log = logger.child({ worker: 'sim', workerId: `${hostname()}-${process.pid}` });

await runWorker({
  name: 'sim',
  async start() {
    const kafka = createKafka({ clientId: 'drivelab-sim' });
    const producer = createProducer(kafka);
    await producer.connect();
    const publisher = kafkaRunPublisher(producer, env.KAFKA_TOPIC_PREFIX, (err) =>
      log.warn({ err }, 'Kafka unreachable, retrying the batch'),
    );
    const manager = new RunManager({
      publisher,
      maxConcurrent,
      onError: (runId, err) => log.error({ runId, err }, 'run failed to publish'),
      loadNetwork: (orgId, ref) => loadOrgRoadMap(db, orgId, ref),
    });
    new Gauge({
      name: 'drivelab_sim_runs_active',
      help: 'Runs this worker is simulating',
      registers: [metrics.registry],
      collect() {
        this.set(manager.running);
      },
    });
    new Gauge({
      name: 'drivelab_sim_runs_waiting',
      help: 'Start commands waiting for a free slot',
      registers: [metrics.registry],
      collect() {
        this.set(manager.queued);
      },
    });
    const consumer = await runValidatedConsumer({
      kafka,
      // Prefixed like the topics: deployments sharing a broker must not share the group.
      groupId: consumerGroup(CONSUMER_GROUPS.sim, env.KAFKA_TOPIC_PREFIX),
      topic: TOPICS.simCommands,
      schema: simCommandSchema,
      fromBeginning: true,
      handle: async (cmd, raw) => {
        const age = Date.now() - Number(raw.timestamp ?? Date.now());
        if (cmd.type === 'start' && age > maxCommandAgeMs) {
          log.warn({ runId: cmd.runId, ageS: Math.round(age / 1000) }, 'start command expired');
          await publisher.publish({
            frames: [],
            events: [],
            status: {
              v: 1,
              orgId: cmd.orgId,
              runId: cmd.runId,
              state: 'failed',
              progress: 0,
              simTime: 0,
              realTimeFactor: 0,
              ts: Date.now(),
              error: `No simulator picked this run up within ${maxCommandAgeMs / 1000} s; start it again.`,
            },
          });
          return;
        }
        log.info({ runId: cmd.runId, type: cmd.type }, 'command');
        manager.handle(cmd);
      },
    });
    log.info({ maxConcurrent }, 'simulator ready');
    return {
      async stop() {
        await consumer.stop();
        await manager.shutdown();
        await producer.disconnect();
      },
    };
  },
});
