/**
 * Which Kafka offsets may be committed. A message is durable only once the MCAP file holding it is
 * closed and committed to the object store (an open MCAP file cannot be resumed after a crash), so
 * a partition's committed offset stays at the first message of its oldest still-open recording;
 * with no open recording on it, it moves past the last message handled. Pure, for unit tests.
 */
export type PartitionKey = string; // `${topic}:${partition}`

export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}:${partition}`;
}

export function parsePartitionKey(key: PartitionKey): { topic: string; partition: number } {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/**
 * @param lastHandled the highest offset handled per partition (written, skipped or sent to the DLQ)
 * @param openFirstOffsets for each open recording, the first offset it holds per partition
 * @returns the offset to commit per partition (Kafka's "next offset to read")
 */
export function committableOffsets(
  lastHandled: ReadonlyMap<PartitionKey, bigint>,
  openFirstOffsets: Iterable<ReadonlyMap<PartitionKey, bigint>>,
): Map<PartitionKey, bigint> {
  const out = new Map<PartitionKey, bigint>();
  for (const [p, last] of lastHandled) out.set(p, last + 1n);
  for (const firsts of openFirstOffsets) {
    for (const [p, first] of firsts) {
      const current = out.get(p);
      if (current === undefined || first < current) out.set(p, first);
    }
  }
  return out;
}
