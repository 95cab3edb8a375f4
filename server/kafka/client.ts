import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import { env, type Env } from '../env';
import { kafkaHealth } from '../observability/kafka-health';
import { childLogger } from '../observability/logger';
import { parsePartitionOverrides, prefixed, topicSpecs, type TopicName } from './topics';

const log = childLogger('kafka');

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logs through pino so every process has one log format. */
const logCreator = () => (entry: LogEntry) => {
  const level = levelNames[entry.level] ?? 'info';
  const { message, ...extra } = entry.log;
  log[level]({ kafkajs: entry.namespace, ...extra }, message);
};

type KafkaSecurityEnv = Pick<
  Env,
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
>;

function readPem(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * TLS and SASL settings of every Kafka client (workers, web, admin tools, the stack script), from
 * the environment. TLS verifies the broker's certificate and host name against the system CAs plus
 * KAFKA_SSL_CA_FILE; there is deliberately no switch to turn verification off.
 */
export function kafkaSecurity(e: KafkaSecurityEnv = env): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (e.KAFKA_SSL) {
    const ca = e.KAFKA_SSL_CA_FILE ? readPem('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE) : undefined;
    const cert = e.KAFKA_SSL_CERT_FILE ? readPem('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE) : undefined;
    const key = e.KAFKA_SSL_KEY_FILE ? readPem('KAFKA_SSL_KEY_FILE', e.KAFKA_SSL_KEY_FILE) : undefined;
    out.ssl =
      ca || cert ? { rejectUnauthorized: true, ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert, key } : {}) } : true;
  }
  if (e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD) {
    out.sasl = {
      mechanism: e.KAFKA_SASL_MECHANISM,
      username: e.KAFKA_SASL_USERNAME,
      password: e.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  return out;
}

export interface KafkaOptions {
  clientId?: string;
  brokers?: string[];
  /** kafkajs' connection timeouts; short ones make health checks answer quickly when Kafka is down. */
  connectionTimeout?: number;
  requestTimeout?: number;
  retries?: number;
  /** Overrides the environment's TLS/SASL settings (tests against their own brokers). */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

export function createKafka(options: KafkaOptions = {}): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId ?? env.KAFKA_CLIENT_ID,
    brokers: options.brokers ?? env.KAFKA_BROKERS,
    ...(options.security ?? kafkaSecurity()),
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 30000,
    logLevel: env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? logLevel.INFO : logLevel.WARN,
    logCreator,
    retry: { retries: options.retries ?? 8, initialRetryTime: 100 },
  };
  return new TrackedKafka(config);
}

/** Every consumer made through createKafka reports to /healthz and /readyz (kafka-health.ts). */
class TrackedKafka extends Kafka {
  override consumer(config: ConsumerConfig): Consumer {
    const consumer = super.consumer(config);
    kafkaHealth.track(consumer, config.groupId);
    return consumer;
  }
}

/**
 * The Java client's murmur2 partitioner, so frames keyed runId:vehicleId land on the same
 * partition whichever client (kafkajs, console producer, a vehicle gateway) produced them.
 */
export function createProducer(kafka: Kafka, options: { idempotent?: boolean } = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: options.idempotent ?? false,
    allowAutoTopicCreation: false,
  });
}

export function topic(name: TopicName, prefix: string = env.KAFKA_TOPIC_PREFIX): string {
  return prefixed(prefix, name);
}

/**
 * Creates missing topics and grows partition counts that are below the configured number.
 * Safe to run any number of times, from any process.
 */
export async function ensureTopics(
  kafka: Kafka,
  options: { prefix?: string; partitions?: number; overrides?: string; replicationFactor?: number } = {},
): Promise<{ created: string[]; grown: string[] }> {
  const prefix = options.prefix ?? env.KAFKA_TOPIC_PREFIX;
  const specs = topicSpecs(
    options.partitions ?? env.KAFKA_PARTITIONS,
    parsePartitionOverrides(options.overrides ?? env.KAFKA_TOPIC_PARTITIONS),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(prefixed(prefix, s.name)));
    const created: string[] = [];
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: prefixed(prefix, s.name),
          numPartitions: s.partitions,
          replicationFactor: options.replicationFactor ?? env.KAFKA_REPLICATION_FACTOR,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      created.push(...missing.map((s) => prefixed(prefix, s.name)));
    }
    const present = specs.filter((s) => existing.has(prefixed(prefix, s.name)));
    const grown: string[] = [];
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => prefixed(prefix, s.name)) });
      const toGrow = present.filter((s) => {
        const t = meta.topics.find((m) => m.name === prefixed(prefix, s.name));
        return t !== undefined && t.partitions.length < s.partitions;
      });
      if (toGrow.length > 0) {
        await admin.createPartitions({
          topicPartitions: toGrow.map((s) => ({ topic: prefixed(prefix, s.name), count: s.partitions })),
        });
        grown.push(...toGrow.map((s) => prefixed(prefix, s.name)));
      }
    }
    return { created, grown };
  } finally {
    await admin.disconnect();
  }
}
