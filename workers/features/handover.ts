import type { CommitEntry } from '~/server/kafka/commit-coordinator';
import type { CommittableOffset } from './operator';
import { highWaterOf, withHighWater } from './resume-marker';

/** A partition's committed position as the group coordinator returns it. */
export interface CommittedPosition {
  partition: number;
  offset: string;
  metadata: string | null;
}

/**
 * The worker's side of a partition handover: which telemetry partitions this copy owns, the
 * next offset it will feed the operator from each, and the previous owner's high-water mark
 * (resume-marker.ts). The operator's side (windows, resume points) is restored from the same
 * commit, by the caller.
 */
export class PartitionHandover {
  private owned = new Set<number>();
  private readonly next = new Map<number, number>();
  private readonly restoredHw = new Map<number, number>();

  constructor(readonly topic: string) {}

  get size(): number {
    return this.owned.size;
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** Every partition this copy had anything of: the operator forgets them on a new assignment. */
  known(): number[] {
    return [...new Set([...this.owned, ...this.next.keys()])];
  }

  /** A new assignment: forget everything, then restore each partition from its commit. */
  assign(partitions: readonly number[]): void {
    this.next.clear();
    this.restoredHw.clear();
    this.owned = new Set(partitions);
  }

  /** Resumes an assigned partition at its committed offset; false when it has no usable commit. */
  restore(c: CommittedPosition): boolean {
    if (!this.owned.has(c.partition)) return false;
    const offset = Number(c.offset);
    if (!(offset >= 0)) return false;
    this.next.set(c.partition, offset);
    this.restoredHw.set(c.partition, highWaterOf(c.metadata));
    return true;
  }

  /** The next offset to feed the operator (-1: none read yet). */
  nextOffset(partition: number): number {
    return this.next.get(partition) ?? -1;
  }

  position(partition: number): number | undefined {
    return this.next.get(partition);
  }

  advance(partition: number, nextOffset: number): void {
    this.next.set(partition, Math.max(this.nextOffset(partition), nextOffset));
  }

  /** A rejection the previous owner already sent to dl.dlq before its commit (resume-marker.ts). */
  alreadySent(partition: number, offset: number): boolean {
    return offset < (this.restoredHw.get(partition) ?? -1);
  }

  /** The operator's committable offsets of owned partitions, with the high-water mark added. */
  commitEntries(offsets: readonly CommittableOffset[]): CommitEntry[] {
    return offsets
      .filter((c) => this.owned.has(c.partition))
      .map((c) => {
        const hw = Math.max(
          this.next.get(c.partition) ?? Number(c.offset),
          this.restoredHw.get(c.partition) ?? -1,
          Number(c.offset),
        );
        return { topic: this.topic, partition: c.partition, offset: c.offset, metadata: withHighWater(c.metadata, hw) };
      });
  }
}
