import { RowBuffer } from './frame-row';
import type { WindowPartial } from './partial';

/**
 * The window operator's state (operator.ts): runs, their per-partition streams, vehicles and
 * tumbling windows. Shared by the windowing (operator.ts) and the resume points a commit carries
 * (resume-points.ts).
 */

export class Win {
  /** The window's frames until it is final; then only its partial is kept. */
  rows: RowBuffer | null;
  partial: WindowPartial | null = null;
  emitted = false;
  finalised = false;
  revision = 0;
  /** Offsets of the window's first frame on partitions other than the usual one (rare). */
  extraOffsets: Map<number, number> | null = null;

  constructor(
    readonly k: number,
    readonly start: number,
    readonly end: number,
    readonly partition: number,
    public minOffset: number,
    /** The stream's highest event time before this window's first frame (for commit metadata). */
    readonly maxTBefore: number,
    capacity: number,
  ) {
    this.rows = new RowBuffer(capacity);
  }

  noteOffset(partition: number, offset: number): void {
    if (partition === this.partition) {
      if (offset < this.minOffset) this.minOffset = offset;
      return;
    }
    const extra = (this.extraOffsets ??= new Map());
    const had = extra.get(partition);
    if (had === undefined || offset < had) extra.set(partition, offset);
  }
}

export class Vehicle {
  /** Retained tumbling windows, by k ascending. */
  readonly wins: Win[] = [];
  last: Win | null = null;
  /** Next sliding window the watermark scan considers (Infinity: none pending). */
  nextJ = Infinity;
  /** Revision of every emitted sliding window that may still be updated. */
  readonly slidingRev = new Map<number, number>();
  constructor(readonly id: string) {}
}

export class PartitionState {
  lastOffset = -1;
  readonly runs = new Set<Run>();
  constructor(readonly partition: number) {}
}

export class Stream {
  maxT = -Infinity;
  lastOffset = -1;
  /**
   * Tumbling windows below this are final for this partition's frames: restored from its commit.
   * Kept per stream, not per run: the partitions of one run may have been committed by different
   * copies at different points of the run (a copy that joined and left), and one partition's
   * final windows say nothing about another's.
   */
  minK = -Infinity;
  minJ = -Infinity;
  /** Restored from a commit: its resume point must survive commits made before it is re-read. */
  restored = false;
  constructor(
    readonly part: PartitionState,
    public lastSeenMs: number,
  ) {}
}

export class Run {
  orgId: string | null = null;
  readonly streams: Stream[] = [];
  readonly vehicles = new Map<string, Vehicle>();
  wm = -Infinity;
  /** The scan runs when the watermark reaches this (the earliest pending emission, finalisation or drop). */
  nextCheck = Infinity;
  /** Tumbling windows below this are final: restored from a commit, or closed by flushRun. */
  minK = -Infinity;
  minJ = -Infinity;
  maxK = -Infinity;
  constructor(
    readonly id: string,
    public sensorHz: number,
    /** Processing time of the run's first frame here: bounds how long unseen partitions hold it. */
    readonly firstSeenMs: number,
  ) {}
}

export interface Tombstone {
  minK: number;
  wm: number;
}
