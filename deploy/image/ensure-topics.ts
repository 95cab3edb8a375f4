import { createKafka, ensureTopics } from '../../server/kafka/client';
import { env } from '../../server/env';

/**
 * The `migrate` command's second half: the brokers of a deployment refuse to create topics on
 * first use (auto.create.topics.enable=false), so they are created here, with KAFKA_PARTITIONS.
 */
const kafka = createKafka({ clientId: `${env.KAFKA_CLIENT_ID}-migrate` });
await ensureTopics(kafka, { prefix: env.KAFKA_TOPIC_PREFIX });
console.log(`topics ready (prefix "${env.KAFKA_TOPIC_PREFIX}")`);
process.exit(0);
