import { z } from 'zod';
import { CONSUMER_GROUPS, consumerGroup } from '~/server/kafka/topics';
import type { ClosePolicy } from './close-policy';

/** The recorder's own settings (environment), with defaults that suit simulated and live runs. */
const schema = z.object({
  RECORDER_GRACE_MS: z.coerce.number().int().min(0).default(3000),
  RECORDER_MAX_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  RECORDER_IDLE_MS: z.coerce.number().int().min(1000).default(120_000),
  RECORDER_TICK_MS: z.coerce.number().int().min(10).default(500),
  // Tests give each file its own group so their runs never share one with another recorder.
  // How soon a crashed copy's partitions are handed to its replacement (Kafka allows >= 6000).
  RECORDER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  RECORDER_GROUP_ID: z.string().min(1).optional(),
  // Unfinished files (a recorder killed mid-write) older than this are removed at start; the
  // replacement has already rebuilt them from Kafka.
  RECORDER_UNFINISHED_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(3_600_000),
});

export function recorderConfig(source: Record<string, string | undefined> = process.env): {
  policy: ClosePolicy;
  tickMs: number;
  groupId: string;
  sessionTimeoutMs: number;
  unfinishedMaxAgeMs: number;
} {
  const c = schema.parse(
    Object.fromEntries(Object.entries(source).filter(([k, v]) => k.startsWith('RECORDER_') && v !== '')),
  );
  return {
    policy: { graceMs: c.RECORDER_GRACE_MS, maxGraceMs: c.RECORDER_MAX_GRACE_MS, idleMs: c.RECORDER_IDLE_MS },
    tickMs: c.RECORDER_TICK_MS,
    groupId: c.RECORDER_GROUP_ID ?? consumerGroup(CONSUMER_GROUPS.recorder, source.KAFKA_TOPIC_PREFIX ?? ''),
    sessionTimeoutMs: c.RECORDER_SESSION_TIMEOUT_MS,
    unfinishedMaxAgeMs: c.RECORDER_UNFINISHED_MAX_AGE_MS,
  };
}
