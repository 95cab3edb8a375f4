import { decodeCommitMetadata, encodeCommitMetadata, type RunResumePoint } from './commit-metadata';
import { firstSlidingFrom } from './window-index';
import type { WindowCore } from './window-core';
import type { Run, Win } from './window-state';

/**
 * The source side of the window core (window-core.ts), which knows neither partitions nor
 * offsets: per (partition, run) streams and the run watermark they combine into, where each
 * window's frames came from, and the resume points a commit carries so that the next owner of a
 * partition rebuilds exactly the windows that were still open (commit-metadata.ts), restores them,
 * and lets go of a partition that moved to another copy.
 *
 * Event time t is seconds since the run started, so two runs' times are unrelated: a watermark
 * is kept per (partition, run) stream, and a run's watermark combines its streams (the minimum
 * over the streams that are not idle). A plain per-partition watermark would declare every frame
 * of a run that starts on a partition already carrying an older run late.
 */

export interface FramePosition {
  partition: number;
  /** Kafka offset (kafkajs gives a string; Number() of it is exact below 2^53). */
  offset: number;
}

export interface CommittableOffset {
  partition: number;
  /** The next offset to consume after a restart (what Kafka's commit takes). */
  offset: string;
  /** Commit metadata for restore(); see commit-metadata.ts. */
  metadata: string;
}

class PartitionState {
  lastOffset = -1;
  readonly runs = new Set<RunInputs>();
  constructor(readonly partition: number) {}
}

/** One run's frames on one partition: its watermark input and what a commit must say of it. */
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

class RunInputs {
  readonly streams: Stream[] = [];
  constructor(
    readonly run: Run,
    /** Processing time of the run's first frame here: bounds how long unseen partitions hold it. */
    readonly firstSeenMs: number,
  ) {}
}

/** Where a window's frames came from: the partition of its first frame and the offsets to replay it. */
interface WinOrigin {
  partition: number;
  minOffset: number;
  /** The stream's highest event time before this window's first frame (for commit metadata). */
  maxTBefore: number;
  /** Offsets of the window's first frame on partitions other than the usual one (rare). */
  extraOffsets: Map<number, number> | null;
}

export class ResumePoints {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly inputs = new Map<Run, RunInputs>();
  private readonly origins = new WeakMap<Win, WinOrigin>();
  // Most frames land in the window of the frame before: skip the WeakMap lookup then.
  private lastWin: Win | null = null;
  private lastOrigin: WinOrigin | null = null;
  private assigned: readonly number[] = [];

  constructor(private readonly core: WindowCore<unknown>) {}

  /**
   * The partitions this consumer owns now. A run's watermark waits for each of them to deliver a
   * frame of the run (or for idleTimeoutMs after the run's first frame): until a partition has
   * shown the run, it has no stream whose watermark would hold the run back, and the other
   * partitions alone would declare its first frames late.
   */
  assign(owned: readonly number[]): void {
    this.assigned = [...owned];
  }

  /** A message was read (offsets of one partition come in increasing order). */
  noteRead(pos: FramePosition): void {
    const part = this.partitionState(pos.partition);
    if (pos.offset > part.lastOffset) part.lastOffset = pos.offset;
  }

  /** The stream of an admitted frame, marked as seen now. */
  streamOf(run: Run, pos: FramePosition, nowMs: number): Stream {
    const s = this.streamFor(run, this.partitionState(pos.partition), nowMs);
    s.lastSeenMs = nowMs;
    if (pos.offset > s.lastOffset) s.lastOffset = pos.offset;
    return s;
  }

  /** The frame at pos went into window w (before its event time raised the stream's maxT). */
  noteWindow(w: Win, pos: FramePosition, s: Stream): void {
    let o = w === this.lastWin ? this.lastOrigin : this.origins.get(w);
    if (o === undefined || o === null) {
      o = { partition: pos.partition, minOffset: pos.offset, maxTBefore: s.maxT, extraOffsets: null };
      this.origins.set(w, o);
    } else if (pos.partition === o.partition) {
      if (pos.offset < o.minOffset) o.minOffset = pos.offset;
    } else {
      const extra = (o.extraOffsets ??= new Map<number, number>());
      const had = extra.get(pos.partition);
      if (had === undefined || pos.offset < had) extra.set(pos.partition, pos.offset);
    }
    this.lastWin = w;
    this.lastOrigin = o;
  }

  /** The frame's event time t moves its stream on, and with it the run's watermark. */
  advance(run: Run, s: Stream, t: number, nowMs: number): void {
    if (t > s.maxT) {
      s.maxT = t;
      this.refresh(run, nowMs);
    }
  }

  /** Recomputes the run's watermark from its streams (idleness is a matter of nowMs). */
  refresh(run: Run, nowMs: number): void {
    this.core.advanceWatermark(run, this.combinedWatermark(run, nowMs));
  }

  /** Processing time of the run's last frame on any partition. */
  lastSeen(run: Run): number {
    let last = -Infinity;
    for (const s of this.inputs.get(run)?.streams ?? []) if (s.lastSeenMs > last) last = s.lastSeenMs;
    return last;
  }

  /** The run was closed for good (its tombstone refuses stragglers), or let go: no resume point to carry. */
  settle(run: Run): void {
    for (const s of this.inputs.get(run)?.streams ?? []) s.restored = false;
  }

  /** Per partition seen: the offset up to which a commit is safe, with the metadata to restore. */
  committableOffsets(): CommittableOffset[] {
    const core = this.core;
    const minOffset = new Map<number, number>();
    const note = (p: number, o: number) => {
      const had = minOffset.get(p);
      if (had === undefined || o < had) minOffset.set(p, o);
    };
    for (const run of core.runs.values()) {
      for (const v of run.vehicles.values()) {
        for (const w of v.wins) {
          const o = this.origin(w);
          note(o.partition, o.minOffset);
          if (o.extraOffsets) for (const [p, off] of o.extraOffsets) note(p, off);
        }
      }
    }
    const out: CommittableOffset[] = [];
    const replayed = new Set<Run>();
    for (const part of this.partitions.values()) {
      const p = part.partition;
      const offset = Math.min(minOffset.get(p) ?? Infinity, part.lastOffset + 1);
      const resume = new Map<string, RunResumePoint>();
      for (const { run, streams } of part.runs) {
        const s = streams.find((x) => x.part === part)!;
        // A run none of whose frames lie at or after the offset is not replayed: nothing to say.
        // Unless its resume point came from the commit and nothing has been re-read yet: dropping
        // it would let the next owner rebuild windows this partition had already made final.
        if (s.lastOffset < offset && !s.restored) continue;
        replayed.add(run);
        let earliest: WinOrigin | null = null;
        for (const v of run.vehicles.values()) {
          for (const w of v.wins) {
            const o = this.origin(w);
            if (o.partition === p && (earliest === null || o.minOffset < earliest.minOffset)) earliest = o;
          }
        }
        const maxT = earliest ? earliest.maxTBefore : s.maxT;
        const k = Math.max(core.firstOpenWindow(run), s.minK);
        resume.set(run.id, {
          firstOpenWindow: Number.isFinite(k) ? k : null,
          maxEventTime: Number.isFinite(maxT) ? maxT : null,
        });
      }
      out.push({ partition: p, offset: String(offset), metadata: encodeCommitMetadata(resume) });
    }
    // A run with nothing open and nothing to replay shrinks to a tombstone.
    for (const run of core.runs.values()) if (run.vehicles.size === 0 && !replayed.has(run)) this.forget(run, true);
    return out;
  }

  /** On partition assignment, before consuming: the committed offset and its metadata. */
  restore(partition: number, committedOffset: number, metadata: string | null | undefined, nowMs: number): void {
    const cfg = this.core.config;
    const sliding = cfg.slidingSpan > 0;
    const part = this.partitionState(partition);
    if (committedOffset - 1 > part.lastOffset) part.lastOffset = committedOffset - 1;
    const points = decodeCommitMetadata(metadata);
    if (!points) return;
    for (const [runId, point] of points) {
      const run = this.core.runFor(runId);
      const s = this.streamFor(run, part, nowMs);
      s.restored = true;
      if (point.firstOpenWindow !== null && point.firstOpenWindow > s.minK) {
        s.minK = point.firstOpenWindow;
        s.minJ = sliding ? firstSlidingFrom(s.minK, cfg) : s.minK;
      }
      s.lastSeenMs = nowMs;
      if (point.maxEventTime !== null && point.maxEventTime > s.maxT) s.maxT = point.maxEventTime;
      this.refresh(run, nowMs);
    }
  }

  /** On partition revocation: forgets its windows; the new owner replays them from the commit. */
  revoke(revoked: readonly number[]): void {
    for (const p of revoked) {
      const part = this.partitions.get(p);
      if (!part) continue;
      for (const inputs of part.runs) {
        const i = inputs.streams.findIndex((s) => s.part === part);
        if (i >= 0) inputs.streams.splice(i, 1);
        this.core.dropWindows(inputs.run, (w) => this.origin(w).partition === p);
        if (inputs.streams.length === 0) this.forget(inputs.run, false);
      }
      this.partitions.delete(p);
    }
    this.lastWin = null;
    this.lastOrigin = null;
  }

  private origin(w: Win): WinOrigin {
    return this.origins.get(w)!;
  }

  private forget(run: Run, keepTombstone: boolean): void {
    const inputs = this.inputs.get(run);
    if (inputs) for (const s of inputs.streams) s.part.runs.delete(inputs);
    this.inputs.delete(run);
    this.core.forget(run, keepTombstone);
  }

  private partitionState(p: number): PartitionState {
    let part = this.partitions.get(p);
    if (!part) {
      part = new PartitionState(p);
      this.partitions.set(p, part);
    }
    return part;
  }

  private streamFor(run: Run, part: PartitionState, nowMs: number): Stream {
    let inputs = this.inputs.get(run);
    if (!inputs) {
      inputs = new RunInputs(run, nowMs);
      this.inputs.set(run, inputs);
    }
    const streams = inputs.streams;
    for (let i = 0; i < streams.length; i++) if (streams[i]!.part === part) return streams[i]!;
    const s = new Stream(part, nowMs);
    streams.push(s);
    part.runs.add(inputs);
    return s;
  }

  /** An owned partition has not delivered a frame of the run yet, and may still. */
  private awaitingPartition(inputs: RunInputs, nowMs: number): boolean {
    const assigned = this.assigned;
    if (assigned.length <= 1 || nowMs - inputs.firstSeenMs >= this.core.config.idleTimeoutMs) return false;
    for (const p of assigned) if (!inputs.streams.some((s) => s.part.partition === p)) return true;
    return false;
  }

  private combinedWatermark(run: Run, nowMs: number): number {
    const inputs = this.inputs.get(run);
    if (!inputs) return -Infinity;
    if (this.awaitingPartition(inputs, nowMs)) return -Infinity;
    const { outOfOrdernessS: ooo, idleTimeoutMs } = this.core.config;
    let min = Infinity;
    let max = -Infinity;
    let active = 0;
    const streams = inputs.streams;
    for (let i = 0; i < streams.length; i++) {
      const s = streams[i]!;
      const w = s.maxT - ooo;
      if (w > max) max = w;
      if (nowMs - s.lastSeenMs < idleTimeoutMs) {
        active++;
        if (w < min) min = w;
      }
    }
    // With every stream idle nothing is coming that the furthest one has not already passed.
    return active > 0 ? min : max;
  }
}
