import type { Admin, AdminConfig, Kafka } from 'kafkajs';
import { topic } from './client';
import { CONSUMER_GROUPS, consumerGroup, TOPICS, type TopicName } from './topics';

export interface PipelineSnapshot {
  at: number;
  topics: { name: TopicName; endOffset: number }[];
  groups: { groupId: string; topic: TopicName; lag: number }[];
}

/** Consumer groups whose lag the fleet overview shows, with the topic each one reads. */
export const WATCHED_GROUPS: { groupId: string; topic: TopicName }[] = [
  { groupId: CONSUMER_GROUPS.features, topic: TOPICS.telemetry },
  { groupId: CONSUMER_GROUPS.recorder, topic: TOPICS.telemetry },
  { groupId: CONSUMER_GROUPS.sim, topic: TOPICS.simCommands },
  { groupId: CONSUMER_GROUPS.webRunStatus, topic: TOPICS.runStatus },
  { groupId: CONSUMER_GROUPS.inference, topic: TOPICS.features },
];

/**
 * End offsets of the main topics and the lag of the platform's consumer groups, from the broker.
 * Throughput is the difference of two snapshots over time (pure: `throughput`).
 */
export async function pipelineSnapshot(admin: Admin, prefix = ''): Promise<PipelineSnapshot> {
  const names = [
    TOPICS.telemetry,
    TOPICS.events,
    TOPICS.features,
    TOPICS.predictions,
    TOPICS.alerts,
    TOPICS.dlq,
    TOPICS.simCommands,
    TOPICS.runStatus,
  ] as TopicName[];
  const ends = new Map<TopicName, number>();
  const perPartition = new Map<TopicName, Map<number, number>>();
  for (const name of names) {
    const offs = await admin.fetchTopicOffsets(topic(name, prefix)).catch(() => []);
    const m = new Map(offs.map((o) => [o.partition, Number(o.high)]));
    perPartition.set(name, m);
    ends.set(
      name,
      [...m.values()].reduce((a, b) => a + b, 0),
    );
  }
  const groups: PipelineSnapshot['groups'] = [];
  for (const g of WATCHED_GROUPS) {
    const committed = await admin
      .fetchOffsets({ groupId: consumerGroup(g.groupId, prefix), topics: [topic(g.topic, prefix)] })
      .catch(() => []);
    const parts = committed[0]?.partitions ?? [];
    if (parts.every((p) => Number(p.offset) < 0)) continue;
    const high = perPartition.get(g.topic) ?? new Map<number, number>();
    const lag = parts.reduce(
      (sum, p) => sum + Math.max(0, (high.get(p.partition) ?? 0) - Math.max(0, Number(p.offset))),
      0,
    );
    groups.push({ groupId: g.groupId, topic: g.topic, lag });
  }
  return { at: Date.now(), topics: names.map((name) => ({ name, endOffset: ends.get(name) ?? 0 })), groups };
}

/**
 * Pipeline snapshots over one admin connection kept open between polls (the fleet view polls
 * every 3 s, the lag gauge on every scrape): connecting per poll cost a handshake and a metadata
 * round trip each time. A failed connect is retried on the next poll.
 */
export class PipelineProbe {
  private admin: Promise<Admin> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly prefix: string,
    private readonly adminConfig: AdminConfig = {},
  ) {}

  async snapshot(): Promise<PipelineSnapshot> {
    this.admin ??= this.connect();
    return pipelineSnapshot(await this.admin, this.prefix);
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    if (admin) await (await admin.catch(() => null))?.disconnect();
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin(this.adminConfig);
    try {
      await admin.connect();
      return admin;
    } catch (err) {
      this.admin = null;
      throw err;
    }
  }
}

/** Messages per second per topic between two snapshots. */
export function throughput(prev: PipelineSnapshot, next: PipelineSnapshot): Record<string, number> {
  const dt = (next.at - prev.at) / 1000;
  const out: Record<string, number> = {};
  if (dt <= 0) return out;
  for (const t of next.topics) {
    const before = prev.topics.find((p) => p.name === t.name)?.endOffset ?? t.endOffset;
    out[t.name] = Math.max(0, Math.round((t.endOffset - before) / dt));
  }
  return out;
}
