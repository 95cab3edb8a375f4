/**
 * Feeds the operator the partitions' messages in one merged order. kafkajs hands over one
 * partition's batch at a time, and a batch can hold many seconds of a run: processed as it
 * comes, partition 0's ten seconds would push the run's watermark far ahead before partition 1
 * (the run's other vehicles) had delivered anything, and those vehicles' frames would all be
 * late. So messages wait here until every assigned partition has been read at least as far in
 * produce time (the Kafka timestamp), and are then released merged by event time, each
 * partition's own order kept. (Merging by timestamp would not do: kafkajs stamps each
 * partition's part of one request separately, tens of ms apart for large requests.) Runs do not
 * share event time, but the operator keeps its watermarks per run, so how two runs interleave
 * does not matter.
 * kafkajs delivers no empty batches, so a partition read to its end says so through its high
 * watermark (markCaughtUp, polled by the worker): it then holds the others back only to the time
 * of that check, less slackMs for messages produced just before it and appended just after.
 * Nothing is committed for held messages: the operator has not seen them.
 */
export interface AlignedItem<T> {
  partition: number;
  /** Kafka timestamp, epoch ms. */
  ts: number;
  /** Event time when known (valid frames); -Infinity otherwise. */
  t: number;
  value: T;
}

interface Lane<T> {
  items: AlignedItem<T>[];
  head: number;
  maxTs: number;
  /** Wall time at which the partition was last known to be read to its end; null when it is not. */
  caughtUpAt: number | null;
}

export class PartitionAligner<T> {
  private lanes = new Map<number, Lane<T>>();

  constructor(private readonly slackMs = 250) {}

  /** The assignment changed: held messages of every partition are dropped (they are replayed). */
  assign(partitions: readonly number[], _nowMs: number): void {
    this.lanes = new Map(partitions.map((p) => [p, { items: [], head: 0, maxTs: -Infinity, caughtUpAt: null }]));
  }

  /** One batch of a partition, in offset order; caughtUp when it ends at the partition's end. */
  add(partition: number, items: AlignedItem<T>[], caughtUp: boolean, nowMs: number): void {
    let lane = this.lanes.get(partition);
    if (!lane) this.lanes.set(partition, (lane = { items: [], head: 0, maxTs: -Infinity, caughtUpAt: null }));
    for (const it of items) {
      lane.items.push(it);
      if (it.ts > lane.maxTs) lane.maxTs = it.ts;
    }
    lane.caughtUpAt = caughtUp ? nowMs : null;
  }

  /** The partition has nothing beyond what was added (its high watermark, checked at nowMs). */
  markCaughtUp(partition: number, nowMs: number): void {
    const lane = this.lanes.get(partition);
    if (lane) lane.caughtUpAt = nowMs;
  }

  get held(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.items.length - l.head;
    return n;
  }

  /** Everything every partition has been read past, merged; `all` releases everything held. */
  release(all = false): AlignedItem<T>[] {
    let limit = Infinity;
    if (!all) {
      for (const l of this.lanes.values()) {
        // Less slack in both cases: kafkajs stamps each partition's part of one request
        // separately, tens of ms apart, so timestamps only order what is further apart.
        const bound = (l.caughtUpAt === null ? l.maxTs : Math.max(l.maxTs, l.caughtUpAt)) - this.slackMs;
        if (bound < limit) limit = bound;
      }
    }
    const out: AlignedItem<T>[] = [];
    const lanes = [...this.lanes.values()].filter((l) => l.head < l.items.length);
    for (;;) {
      let best: Lane<T> | null = null;
      for (const l of lanes) {
        if (l.head >= l.items.length) continue;
        const it = l.items[l.head]!;
        if (it.ts > limit) continue;
        if (best === null) best = l;
        else {
          const b = best.items[best.head]!;
          if (it.t < b.t) best = l;
        }
      }
      if (best === null) break;
      out.push(best.items[best.head++]!);
    }
    for (const l of lanes) {
      if (l.head === l.items.length) {
        l.items = [];
        l.head = 0;
      } else if (l.head > 4096) {
        l.items = l.items.slice(l.head);
        l.head = 0;
      }
    }
    return out;
  }
}
