import { decodeCommitMetadata, encodeCommitMetadata, type RunResumePoint } from './commit-metadata';
import type { ResolvedWindowConfig } from './config';
import { firstSlidingFrom } from './window-index';
import type { PartitionState, Run, Stream, Tombstone, Win } from './window-state';

/**
 * Resume points: what a commit carries so that the next owner of a partition rebuilds exactly
 * the windows that were still open (commit-metadata.ts), how the operator restores them, and how
 * it lets go of a partition that moved to another copy. The windowing itself is operator.ts.
 */

export interface CommittableOffset {
  partition: number;
  /** The next offset to consume after a restart (what Kafka's commit takes). */
  offset: string;
  /** Commit metadata for restore(); see commit-metadata.ts. */
  metadata: string;
}

/** The operator state and helpers the resume points need (operator.ts provides them). */
export interface OperatorState {
  readonly cfg: ResolvedWindowConfig;
  readonly runs: Map<string, Run>;
  readonly partitions: Map<number, PartitionState>;
  /** Runs forgotten after they went quiet, so that a straggler frame cannot reopen final windows. */
  readonly tombstones: Map<string, Tombstone>;
  runFor(runId: string, nowMs: number): Run;
  streamFor(run: Run, part: PartitionState, nowMs: number): Stream;
  partitionState(p: number): PartitionState;
  refreshWatermark(run: Run, nowMs: number): void;
  firstOpenWindow(run: Run): number;
}

/** Per partition seen: the offset up to which a commit is safe, with the metadata to restore. */
export function committableOffsets(st: OperatorState): CommittableOffset[] {
  const { runs, partitions } = st;
  const minOffset = new Map<number, number>();
  const note = (p: number, o: number) => {
    const had = minOffset.get(p);
    if (had === undefined || o < had) minOffset.set(p, o);
  };
  for (const run of runs.values()) {
    for (const v of run.vehicles.values()) {
      for (const w of v.wins) {
        note(w.partition, w.minOffset);
        if (w.extraOffsets) for (const [p, o] of w.extraOffsets) note(p, o);
      }
    }
  }
  const out: CommittableOffset[] = [];
  const replayed = new Set<Run>();
  for (const part of partitions.values()) {
    const p = part.partition;
    const offset = Math.min(minOffset.get(p) ?? Infinity, part.lastOffset + 1);
    const resume = new Map<string, RunResumePoint>();
    for (const run of part.runs) {
      const s = run.streams.find((x) => x.part === part)!;
      // A run none of whose frames lie at or after the offset is not replayed: nothing to say.
      // Unless its resume point came from the commit and nothing has been re-read yet: dropping
      // it would let the next owner rebuild windows this partition had already made final.
      if (s.lastOffset < offset && !s.restored) continue;
      replayed.add(run);
      let earliest: Win | null = null;
      for (const v of run.vehicles.values()) {
        for (const w of v.wins)
          if (w.partition === p && (earliest === null || w.minOffset < earliest.minOffset)) earliest = w;
      }
      const maxT = earliest ? earliest.maxTBefore : s.maxT;
      const k = Math.max(st.firstOpenWindow(run), s.minK);
      resume.set(run.id, {
        firstOpenWindow: Number.isFinite(k) ? k : null,
        maxEventTime: Number.isFinite(maxT) ? maxT : null,
      });
    }
    out.push({ partition: p, offset: String(offset), metadata: encodeCommitMetadata(resume) });
  }
  // A run with nothing open and nothing to replay shrinks to a tombstone.
  for (const run of runs.values()) if (run.vehicles.size === 0 && !replayed.has(run)) forget(st, run);
  return out;
}

function forget(st: OperatorState, run: Run): void {
  const { runs, tombstones } = st;
  for (const s of run.streams) s.part.runs.delete(run);
  runs.delete(run.id);
  tombstones.set(run.id, { minK: st.firstOpenWindow(run), wm: run.wm });
}

/** On partition assignment, before consuming: the committed offset and its metadata. */
export function restorePartition(
  st: OperatorState,
  partition: number,
  committedOffset: number,
  metadata: string | null | undefined,
  nowMs: number,
): void {
  const { cfg } = st;
  const sliding = cfg.slidingSpan > 0;
  const part = st.partitionState(partition);
  if (committedOffset - 1 > part.lastOffset) part.lastOffset = committedOffset - 1;
  const points = decodeCommitMetadata(metadata);
  if (!points) return;
  for (const [runId, point] of points) {
    const run = st.runFor(runId, nowMs);
    const s = st.streamFor(run, part, nowMs);
    s.restored = true;
    if (point.firstOpenWindow !== null && point.firstOpenWindow > s.minK) {
      s.minK = point.firstOpenWindow;
      s.minJ = sliding ? firstSlidingFrom(s.minK, cfg) : s.minK;
    }
    s.lastSeenMs = nowMs;
    if (point.maxEventTime !== null && point.maxEventTime > s.maxT) s.maxT = point.maxEventTime;
    st.refreshWatermark(run, nowMs);
  }
}

/** On partition revocation: forgets its windows; the new owner replays them from the commit. */
export function revokePartitions(st: OperatorState, revoked: readonly number[]): void {
  const { runs, partitions } = st;
  for (const p of revoked) {
    const part = partitions.get(p);
    if (!part) continue;
    for (const run of part.runs) {
      const i = run.streams.findIndex((s) => s.part === part);
      if (i >= 0) run.streams.splice(i, 1);
      for (const v of run.vehicles.values()) {
        const keep = v.wins.filter((w) => w.partition !== p);
        if (keep.length === v.wins.length) continue;
        v.wins.length = 0;
        v.wins.push(...keep);
        v.last = null;
        if (keep.length === 0) run.vehicles.delete(v.id);
      }
      if (run.streams.length === 0) runs.delete(run.id);
    }
    partitions.delete(p);
  }
}
