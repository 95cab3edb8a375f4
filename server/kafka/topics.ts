/**
 * The one list of Kafka topics (names from ../shared/DESIGN.md). Everything that creates,
 * produces to or consumes from a topic resolves its real name here, prefix included.
 */
export const TOPICS = {
  simCommands: 'dl.sim.commands',
  telemetry: 'dl.telemetry',
  events: 'dl.events',
  runStatus: 'dl.run.status',
  features: 'dl.features',
  predictions: 'dl.predictions',
  alerts: 'dl.alerts',
  dlq: 'dl.dlq',
  models: 'dl.models',
  training: 'dl.training',
} as const;

/**
 * The one list of consumer-group names, beside the topics they read. Pass them through
 * `consumerGroup` for the deployment's prefix. The web process's relays are per process (they
 * fan out to that process's sockets), so they add host and pid to their name.
 */
export const CONSUMER_GROUPS = {
  features: 'drivelab-features',
  recorder: 'drivelab-recorder',
  sim: 'drivelab-sim',
  inference: 'drivelab-inference',
  webRunStatus: 'drivelab-web-run-status',
  webRunEvents: 'drivelab-web-run-events',
  webRelay: 'drivelab-web-relay',
  webTraining: 'drivelab-web-training',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

export interface TopicSpec {
  name: TopicName;
  /** Partitions spread load over consumer-group copies; ordering holds per key within one. */
  partitions: number;
  config?: Record<string, string>;
}

/**
 * Parses "dl.telemetry=12,dl.features=12" into per-topic partition counts. Unknown topics and
 * non-positive counts are errors rather than silently ignored settings.
 */
export function parsePartitionOverrides(spec: string | undefined): Partial<Record<TopicName, number>> {
  const out: Partial<Record<TopicName, number>> = {};
  if (!spec) return out;
  const known = new Set<string>(Object.values(TOPICS));
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, count] = part.split('=').map((s) => s.trim());
    if (!name || !known.has(name)) throw new Error(`KAFKA_TOPIC_PARTITIONS: unknown topic "${name ?? ''}"`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`KAFKA_TOPIC_PARTITIONS: bad partition count for ${name}: "${count ?? ''}"`);
    out[name as TopicName] = n;
  }
  return out;
}

export function topicSpecs(defaultPartitions: number, overrides: Partial<Record<TopicName, number>> = {}): TopicSpec[] {
  return Object.values(TOPICS).map((name) => {
    // Model deployment changes must be seen in order by every inference copy: one partition.
    const base = name === TOPICS.models ? 1 : defaultPartitions;
    const config: Record<string, string> = {};
    if (name === TOPICS.dlq) config['retention.ms'] = String(14 * 24 * 3600 * 1000);
    return { name, partitions: overrides[name] ?? base, config };
  });
}

export function prefixed(prefix: string, name: TopicName): string {
  return `${prefix}${name}`;
}

/**
 * A consumer group's name. Group names are global to the broker like topic names, so they carry
 * the same prefix: deployments (and test runs) sharing a cluster never take each other's partitions.
 */
export function consumerGroup(name: string, prefix: string): string {
  return `${prefix}${name}`;
}
