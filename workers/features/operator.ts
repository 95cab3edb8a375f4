import { FEATURE_SET, type FeaturesMessage, type WindowKind } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { resolveWindowConfig, type ResolvedWindowConfig, type WindowOperatorConfig } from './config';
import { featureValues } from './feature-values';
import { recordOf, STRIDE, type FrameRecord } from './frame-row';
import { partialOfRows, WindowPartial } from './partial';
import {
  committableOffsets,
  restorePartition,
  revokePartitions,
  type CommittableOffset,
  type OperatorState,
} from './resume-points';
import {
  firstRetained,
  firstSlidingFrom,
  firstSlidingOf,
  lastSlidingOf,
  retainUntil,
  slidingEnd,
  slidingStart,
  windowEnd,
  windowIndex,
  windowStart,
} from './window-index';
import { PartitionState, Run, Stream, Vehicle, Win, type Tombstone } from './window-state';

export type { CommittableOffset } from './resume-points';

/**
 * Event-time windows per (runId, vehicleId), as Flink would run them (../shared/DESIGN.md,
 * "Streaming semantics"). Pure: no I/O, processing time only through the nowMs arguments.
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

export type RejectReason = 'late' | 'tenant';

/** A frame the operator refused; the caller sends it to dl.dlq with the reason. */
export interface RejectedFrame {
  reason: RejectReason;
  error: string;
  /** What was ingested: the parsed frame given to ingest, or the record given to ingestRecord. */
  frame: TelemetryFrame | FrameRecord;
  partition: number;
  offset: number;
}

export interface OperatorOutput {
  /** Windows to publish and upsert, in emission order (a later revision replaces an earlier one). */
  emitted: readonly FeaturesMessage[];
  rejected: readonly RejectedFrame[];
}

export interface OperatorStats {
  framesIn: number;
  tumblingEmitted: number;
  slidingEmitted: number;
  /** Emissions caused by late frames (revision > 0, or a window first created by a late frame). */
  lateUpdates: number;
  lateRejected: number;
  tenantRejected: number;
  /** Tumbling windows that still accept frames. */
  openWindows: number;
  runs: number;
}

export interface WindowOperator {
  readonly config: ResolvedWindowConfig;
  /** Offsets of one partition must come in increasing order, as a Kafka consumer reads them. */
  ingest(frame: TelemetryFrame, position: FramePosition, nowMs: number): OperatorOutput;
  /** ingest for a decoded row (frame-row.ts): the worker's path, with no parsed frame object. */
  ingestRecord(rec: FrameRecord, position: FramePosition, nowMs: number): OperatorOutput;
  /** Lets idle partitions stop holding watermarks back, and closes runs idle for idleRunCloseMs. */
  advanceIdle(nowMs: number): OperatorOutput;
  /** End of a run: emits everything still pending and closes its windows for good. */
  flushRun(runId: string, nowMs: number): OperatorOutput;
  /** End of input: flushRun for every run. */
  flush(nowMs: number): OperatorOutput;
  /** Per partition seen: the offset up to which a commit is safe, with the metadata to restore. */
  committableOffsets(): CommittableOffset[];
  /** On partition assignment, before consuming: the committed offset and its metadata. */
  restore(partition: number, committedOffset: number, metadata: string | null | undefined, nowMs: number): void;
  /** On partition revocation: forgets its windows; the new owner replays them from the commit. */
  revokePartitions(partitions: readonly number[]): void;
  /**
   * The partitions this consumer owns now. A run's watermark waits for each of them to deliver a
   * frame of the run (or for idleTimeoutMs after the run's first frame): until a partition has
   * shown the run, it has no stream whose watermark would hold the run back, and the other
   * partitions alone would declare its first frames late.
   */
  assignPartitions(partitions: readonly number[]): void;
  /** The sensor rate a run was configured with (run_started event), for the missing-frame ratio. */
  setRunSensorRate(runId: string, hz: number): void;
  /** The run's combined watermark, or null for an unknown run. */
  watermark(runId: string): number | null;
  stats(): OperatorStats;
}

const NAMES: string[] = [...FEATURE_SET.names];
const NONE: readonly never[] = Object.freeze([]);
const EMPTY: OperatorOutput = Object.freeze({ emitted: NONE, rejected: NONE });

export function createWindowOperator(overrides: Partial<WindowOperatorConfig> = {}): WindowOperator {
  const cfg = resolveWindowConfig(overrides);
  const size = cfg.windowSizeS;
  const lateness = cfg.allowedLatenessS;
  const ooo = cfg.outOfOrdernessS;
  const sliding = cfg.slidingSpan > 0;
  const span = cfg.slidingSpan;
  const step = cfg.slidingStep;

  const runs = new Map<string, Run>();
  const partitions = new Map<number, PartitionState>();
  // Runs forgotten after they went quiet, so that a straggler frame cannot reopen final windows.
  const tombstones = new Map<string, Tombstone>();
  const runRates = new Map<string, number>();
  let assignedPartitions: readonly number[] = [];
  const counters = {
    framesIn: 0,
    tumblingEmitted: 0,
    slidingEmitted: 0,
    lateUpdates: 0,
    lateRejected: 0,
    tenantRejected: 0,
  };

  // Output of the current call, allocated only when something happens: most frames emit nothing.
  let outEmitted: FeaturesMessage[] | null = null;
  let outRejected: RejectedFrame[] | null = null;

  function finish(): OperatorOutput {
    if (outEmitted === null && outRejected === null) return EMPTY;
    const out: OperatorOutput = { emitted: outEmitted ?? NONE, rejected: outRejected ?? NONE };
    outEmitted = null;
    outRejected = null;
    return out;
  }

  function reject(reason: RejectReason, error: string, frame: TelemetryFrame | FrameRecord, pos: FramePosition): void {
    if (reason === 'late') counters.lateRejected++;
    else counters.tenantRejected++;
    (outRejected ??= []).push({ reason, error, frame, partition: pos.partition, offset: pos.offset });
  }

  function partitionState(p: number): PartitionState {
    let part = partitions.get(p);
    if (!part) {
      part = new PartitionState(p);
      partitions.set(p, part);
    }
    return part;
  }

  function runFor(runId: string, nowMs: number): Run {
    let run = runs.get(runId);
    if (run) return run;
    run = new Run(runId, runRates.get(runId) ?? cfg.sensorHz, nowMs);
    const tomb = tombstones.get(runId);
    if (tomb) {
      setMinK(run, tomb.minK);
      run.wm = tomb.wm;
      tombstones.delete(runId);
    }
    runs.set(runId, run);
    return run;
  }

  function setMinK(run: Run, k: number): void {
    if (k <= run.minK) return;
    run.minK = k;
    run.minJ = sliding ? firstSlidingFrom(k, cfg) : k;
  }

  function streamFor(run: Run, part: PartitionState, nowMs: number): Stream {
    const streams = run.streams;
    for (let i = 0; i < streams.length; i++) if (streams[i]!.part === part) return streams[i]!;
    const s = new Stream(part, nowMs);
    streams.push(s);
    part.runs.add(run);
    return s;
  }

  /** An owned partition has not delivered a frame of the run yet, and may still. */
  function awaitingPartition(run: Run, nowMs: number): boolean {
    if (assignedPartitions.length <= 1 || nowMs - run.firstSeenMs >= cfg.idleTimeoutMs) return false;
    for (const p of assignedPartitions) if (!run.streams.some((s) => s.part.partition === p)) return true;
    return false;
  }

  function combinedWatermark(run: Run, nowMs: number): number {
    if (awaitingPartition(run, nowMs)) return -Infinity;
    let min = Infinity;
    let max = -Infinity;
    let active = 0;
    const streams = run.streams;
    for (let i = 0; i < streams.length; i++) {
      const s = streams[i]!;
      const w = s.maxT - ooo;
      if (w > max) max = w;
      if (nowMs - s.lastSeenMs < cfg.idleTimeoutMs) {
        active++;
        if (w < min) min = w;
      }
    }
    // With every stream idle nothing is coming that the furthest one has not already passed.
    return active > 0 ? min : max;
  }

  function refreshWatermark(run: Run, nowMs: number): void {
    const w = combinedWatermark(run, nowMs);
    // Watermarks never go back: a partition returning from idleness cannot un-emit windows.
    if (w > run.wm) run.wm = w;
  }

  function message(
    run: Run,
    v: Vehicle,
    kind: WindowKind,
    start: number,
    end: number,
    windowSize: number,
    p: WindowPartial,
    revision: number,
    nowMs: number,
  ): FeaturesMessage {
    return {
      v: 1,
      orgId: run.orgId!,
      runId: run.id,
      vehicleId: v.id,
      windowStart: start,
      windowEnd: end,
      windowSize,
      kind,
      featureSetVersion: FEATURE_SET.version,
      names: NAMES,
      values: featureValues(p, { start, end, sensorHz: run.sensorHz }),
      frameCount: p.frameCount,
      emittedAt: nowMs,
      revision,
    };
  }

  function ensurePartial(w: Win): WindowPartial {
    return (w.partial ??= partialOfRows(w.rows!));
  }

  function emitTumbling(run: Run, v: Vehicle, w: Win, nowMs: number): void {
    counters.tumblingEmitted++;
    (outEmitted ??= []).push(message(run, v, 'tumbling', w.start, w.end, size, ensurePartial(w), w.revision, nowMs));
  }

  /** Index in v.wins of the first window with k ≥ k0 (wins.length when none). */
  function lowerBound(v: Vehicle, k0: number): number {
    const wins = v.wins;
    let lo = 0;
    let hi = wins.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (wins[mid]!.k < k0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function hasData(v: Vehicle, j: number): boolean {
    const lo = j * step;
    const i = lowerBound(v, lo);
    return i < v.wins.length && v.wins[i]!.k < lo + span;
  }

  function emitSliding(run: Run, v: Vehicle, j: number, revision: number, nowMs: number): void {
    const lo = j * step;
    const hi = lo + span;
    const acc = new WindowPartial();
    const wins = v.wins;
    for (let i = lowerBound(v, lo); i < wins.length && wins[i]!.k < hi; i++) acc.mergeAfter(ensurePartial(wins[i]!));
    v.slidingRev.set(j, revision);
    counters.slidingEmitted++;
    (outEmitted ??= []).push(
      message(run, v, 'sliding', slidingStart(j, cfg), slidingEnd(j, cfg), cfg.sliding!.sizeS, acc, revision, nowMs),
    );
  }

  function windowFor(run: Run, v: Vehicle, k: number, stream: Stream, pos: FramePosition): Win {
    const last = v.last;
    if (last !== null && last.k === k) {
      last.noteOffset(pos.partition, pos.offset);
      return last;
    }
    const i = lowerBound(v, k);
    let w = v.wins[i];
    if (w !== undefined && w.k === k) {
      w.noteOffset(pos.partition, pos.offset);
    } else {
      w = new Win(
        k,
        windowStart(k, size),
        windowEnd(k, size),
        pos.partition,
        pos.offset,
        stream.maxT,
        Math.ceil(run.sensorHz * size) + 1,
      );
      v.wins.splice(i, 0, w);
      if (k > run.maxK) run.maxK = k;
      if (w.end < run.nextCheck) run.nextCheck = w.end;
      if (sliding) {
        const j = Math.max(firstSlidingOf(k, cfg), run.minJ, stream.minJ);
        if (j < v.nextJ) v.nextJ = j;
        const e = slidingEnd(v.nextJ, cfg);
        if (e < run.nextCheck) run.nextCheck = e;
      }
    }
    v.last = w;
    return w;
  }

  /** A frame arrived for a window the watermark has already passed: re-emit it and its sliding windows. */
  function lateUpdate(run: Run, v: Vehicle, w: Win, stream: Stream, nowMs: number): void {
    w.partial = partialOfRows(w.rows!);
    if (w.emitted) w.revision++;
    w.emitted = true;
    counters.lateUpdates++;
    emitTumbling(run, v, w, nowMs);
    if (!sliding) return;
    for (
      let j = Math.max(firstSlidingOf(w.k, cfg), run.minJ, stream.minJ), last = lastSlidingOf(w.k, cfg);
      j <= last;
      j++
    ) {
      if (slidingEnd(j, cfg) > run.wm) break;
      const rev = v.slidingRev.get(j);
      emitSliding(run, v, j, rev === undefined ? 0 : rev + 1, nowMs);
    }
  }

  /** Emits, finalises and drops what the watermark wm has passed; returns the next threshold. */
  function scanVehicle(run: Run, v: Vehicle, wm: number, nowMs: number): number {
    let next = Infinity;
    const wins = v.wins;
    for (let i = 0; i < wins.length; i++) {
      const w = wins[i]!;
      if (!w.emitted) {
        if (w.end <= wm) {
          w.emitted = true;
          emitTumbling(run, v, w, nowMs);
        } else if (w.end < next) next = w.end;
      }
      if (!w.finalised) {
        if (w.end + lateness <= wm) {
          ensurePartial(w);
          w.rows = null;
          w.finalised = true;
        } else if (w.end + lateness < next) next = w.end + lateness;
      }
    }
    if (sliding) {
      let j = v.nextJ;
      while (j !== Infinity && slidingEnd(j, cfg) <= wm) {
        if (!v.slidingRev.has(j) && hasData(v, j)) emitSliding(run, v, j, 0, nowMs);
        j++;
        // Skip stretches without data (a vehicle silent for an hour must not cost 3,600 steps).
        const i = lowerBound(v, j * step);
        j = i === wins.length ? Infinity : Math.max(j, firstSlidingOf(wins[i]!.k, cfg));
      }
      v.nextJ = j;
      if (j !== Infinity) {
        const e = slidingEnd(j, cfg);
        if (e < next) next = e;
      }
      for (const sj of v.slidingRev.keys()) if (slidingEnd(sj, cfg) + lateness <= wm) v.slidingRev.delete(sj);
    }
    let d = 0;
    while (d < wins.length && retainUntil(wins[d]!.k, cfg) <= wm) d++;
    if (d > 0) {
      wins.splice(0, d);
      v.last = null;
    }
    if (wins.length > 0) {
      const r = retainUntil(wins[0]!.k, cfg);
      if (r < next) next = r;
    } else if (v.slidingRev.size === 0 && v.nextJ === Infinity) {
      run.vehicles.delete(v.id);
    }
    return next;
  }

  function scan(run: Run, wm: number, nowMs: number): void {
    let next = Infinity;
    for (const v of run.vehicles.values()) {
      const n = scanVehicle(run, v, wm, nowMs);
      if (n < next) next = n;
    }
    run.nextCheck = next;
  }

  function ingest(frame: TelemetryFrame, pos: FramePosition, nowMs: number): OperatorOutput {
    return ingestRecord(recordOf(frame), pos, nowMs, frame);
  }

  function ingestRecord(
    rec: FrameRecord,
    pos: FramePosition,
    nowMs: number,
    source: TelemetryFrame | FrameRecord = rec,
  ): OperatorOutput {
    counters.framesIn++;
    const part = partitionState(pos.partition);
    if (pos.offset > part.lastOffset) part.lastOffset = pos.offset;
    const run = runFor(rec.runId, nowMs);
    if (run.orgId === null) run.orgId = rec.orgId;
    else if (run.orgId !== rec.orgId) {
      reject('tenant', `run ${run.id} belongs to another organization`, source, pos);
      return finish();
    }
    const t = rec.data[rec.row * STRIDE]!;
    const stream = streamFor(run, part, nowMs);
    stream.lastSeenMs = nowMs;
    if (pos.offset > stream.lastOffset) stream.lastOffset = pos.offset;

    const k = windowIndex(t, size);
    const end = windowEnd(k, size);
    if (k < run.minK || k < stream.minK || end + lateness <= run.wm) {
      reject(
        'late',
        `event time ${t} is in window [${windowStart(k, size)}, ${end}) which closed for good at watermark ${end + lateness} (watermark ${run.wm})`,
        source,
        pos,
      );
    } else {
      let v = run.vehicles.get(rec.vehicleId);
      if (v === undefined) {
        v = new Vehicle(rec.vehicleId);
        run.vehicles.set(rec.vehicleId, v);
      }
      const w = windowFor(run, v, k, stream, pos);
      w.rows!.push(rec.data, rec.row);
      if (w.emitted || w.end <= run.wm) lateUpdate(run, v, w, stream, nowMs);
      else w.partial = null;
    }

    if (t > stream.maxT) {
      stream.maxT = t;
      refreshWatermark(run, nowMs);
    }
    if (run.wm >= run.nextCheck) scan(run, run.wm, nowMs);
    return finish();
  }

  function closeRun(run: Run, nowMs: number): void {
    scan(run, Infinity, nowMs);
    setMinK(run, run.maxK + 1);
    run.nextCheck = Infinity;
    // Closed for good (its tombstone refuses stragglers): no resume point to carry any more.
    for (const s of run.streams) s.restored = false;
  }

  function advanceIdle(nowMs: number): OperatorOutput {
    for (const run of runs.values()) {
      refreshWatermark(run, nowMs);
      if (run.wm >= run.nextCheck) scan(run, run.wm, nowMs);
      let lastSeen = -Infinity;
      for (const s of run.streams) if (s.lastSeenMs > lastSeen) lastSeen = s.lastSeenMs;
      if (nowMs - lastSeen < cfg.idleRunCloseMs) continue;
      // Quiet that long: a run with windows is closed; one known only from a commit is let go.
      if (run.vehicles.size > 0) closeRun(run, nowMs);
      else for (const s of run.streams) s.restored = false;
    }
    return finish();
  }

  function flushRun(runId: string, nowMs: number): OperatorOutput {
    const run = runs.get(runId);
    if (run) closeRun(run, nowMs);
    return finish();
  }

  function flush(nowMs: number): OperatorOutput {
    for (const run of runs.values()) closeRun(run, nowMs);
    return finish();
  }

  function firstOpenWindow(run: Run): number {
    return Math.max(firstRetained(run.wm, cfg), run.minK);
  }

  const state: OperatorState = {
    cfg,
    runs,
    partitions,
    tombstones,
    runFor,
    streamFor,
    partitionState,
    refreshWatermark,
    firstOpenWindow,
  };

  function assignPartitions(owned: readonly number[]): void {
    assignedPartitions = [...owned];
  }

  function setRunSensorRate(runId: string, hz: number): void {
    if (!(hz > 0)) throw new Error(`sensor rate must be > 0, got ${hz}`);
    runRates.set(runId, hz);
    const run = runs.get(runId);
    if (run) run.sensorHz = hz;
  }

  function stats(): OperatorStats {
    let openWindows = 0;
    for (const run of runs.values())
      for (const v of run.vehicles.values()) for (const w of v.wins) if (!w.finalised) openWindows++;
    return { ...counters, openWindows, runs: runs.size };
  }

  return {
    config: cfg,
    ingest,
    ingestRecord: (rec, pos, nowMs) => ingestRecord(rec, pos, nowMs),
    advanceIdle,
    flushRun,
    flush,
    committableOffsets: () => committableOffsets(state),
    restore: (partition, committedOffset, metadata, nowMs) =>
      restorePartition(state, partition, committedOffset, metadata, nowMs),
    revokePartitions: (revoked) => revokePartitions(state, revoked),
    assignPartitions,
    setRunSensorRate,
    watermark: (runId) => runs.get(runId)?.wm ?? null,
    stats,
  };
}
