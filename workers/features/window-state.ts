import { RowBuffer } from './frame-row';
import type { WindowPartial } from './partial';

/**
 * The window core's state (window-core.ts): runs, vehicles and tumbling windows. Nothing here
 * knows partitions or offsets; where a window's frames came from is the resume points' business
 * (resume-points.ts), which the commit carries.
 */

export class Win {
  /** The window's frames until it is final; then only its partial is kept. */
  rows: RowBuffer | null;
  partial: WindowPartial | null = null;
  emitted = false;
  finalised = false;
  revision = 0;

  constructor(
    readonly k: number,
    readonly start: number,
    readonly end: number,
    capacity: number,
  ) {
    this.rows = new RowBuffer(capacity);
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

export class Run {
  orgId: string | null = null;
  readonly vehicles = new Map<string, Vehicle>();
  wm = -Infinity;
  /** The scan runs when the watermark reaches this (the earliest pending emission, finalisation or drop). */
  nextCheck = Infinity;
  /** Tumbling windows below this are final: restored from a tombstone, or closed by closeRun. */
  minK = -Infinity;
  minJ = -Infinity;
  maxK = -Infinity;
  constructor(
    readonly id: string,
    public sensorHz: number,
  ) {}
}

/**
 * Lower bounds an input (the source's stream of one run) puts on the windows its frames may
 * still touch: windows below minK (sliding: minJ) were made final by an earlier owner.
 */
export interface InputBound {
  readonly minK: number;
  readonly minJ: number;
}

export interface Tombstone {
  minK: number;
  wm: number;
}
