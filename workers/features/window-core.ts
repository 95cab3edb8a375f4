import { FEATURE_SET, type FeaturesMessage, type WindowKind } from '~/server/contracts/features';
import { resolveWindowConfig, type ResolvedWindowConfig, type WindowOperatorConfig } from './config';
import { featureValues } from './feature-values';
import { STRIDE, type FrameRecord } from './frame-row';
import { partialOfRows, WindowPartial } from './partial';
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
import { Run, Vehicle, Win, type InputBound, type Tombstone } from './window-state';

/**
 * Event-time windows per (runId, vehicleId), as Flink would run them (../shared/DESIGN.md,
 * "Streaming semantics"): tumbling and sliding windows, lateness, revisions, run close. Pure
 * windowing: no partitions, no offsets, processing time only through the nowMs arguments. A
 * run's watermark comes from outside (advanceWatermark), as Flink's operators receive theirs from
 * the source; the source side (resume-points.ts) derives it from its per-partition streams.
 *
 * A rejection carries the caller's reference to the frame (Ref) untouched, for its dl.dlq record.
 */

export type RejectReason = 'late' | 'tenant';

export interface CoreRejection<Ref> {
  reason: RejectReason;
  error: string;
  frame: FrameRecord;
  ref: Ref;
}

export interface CoreOutput<Ref> {
  /** Windows to publish and upsert, in emission order (a later revision replaces an earlier one). */
  emitted: readonly FeaturesMessage[];
  rejected: readonly CoreRejection<Ref>[];
}

export interface CoreStats {
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

export interface WindowCore<Ref> {
  readonly config: ResolvedWindowConfig;
  /** Read-only view of the runs, their vehicles and retained windows (for resume points). */
  readonly runs: ReadonlyMap<string, Run>;
  /** The run a frame belongs to, created (or revived from its tombstone) when new. */
  runFor(runId: string): Run;
  /** Counts the frame and applies the tenant rule: its run, or null (and a rejection) for another org's. */
  admit(rec: FrameRecord, ref: Ref): Run | null;
  /** Adds an admitted frame to its window; null (and a rejection) when that window is closed for good. */
  add(run: Run, rec: FrameRecord, input: InputBound, ref: Ref, nowMs: number): Win | null;
  /** Raises the run's watermark (never lowers it); emission waits for scanIfDue. */
  advanceWatermark(run: Run, wm: number): void;
  /** Emits, finalises and drops what the run's watermark has passed, when anything is due. */
  scanIfDue(run: Run, nowMs: number): void;
  /** End of a run: emits everything still pending and closes its windows for good. */
  closeRun(run: Run, nowMs: number): void;
  /** Drops the windows matching drop (a partition that moved away); empty vehicles go too. */
  dropWindows(run: Run, drop: (w: Win) => boolean): void;
  /** Forgets a run; with keepTombstone, stragglers still cannot reopen its final windows. */
  forget(run: Run, keepTombstone: boolean): void;
  /** The first tumbling window that is not final. */
  firstOpenWindow(run: Run): number;
  /** The sensor rate a run was configured with (run_started event), for the missing-frame ratio. */
  setRunSensorRate(runId: string, hz: number): void;
  /** What was emitted and rejected since the last drain. */
  drain(): CoreOutput<Ref>;
  stats(): CoreStats;
}

const NAMES: string[] = [...FEATURE_SET.names];
const NONE: readonly never[] = Object.freeze([]);
const EMPTY: CoreOutput<never> = Object.freeze({ emitted: NONE, rejected: NONE });

export function createWindowCore<Ref>(overrides: Partial<WindowOperatorConfig> = {}): WindowCore<Ref> {
  const cfg = resolveWindowConfig(overrides);
  const size = cfg.windowSizeS;
  const lateness = cfg.allowedLatenessS;
  const sliding = cfg.slidingSpan > 0;
  const span = cfg.slidingSpan;
  const step = cfg.slidingStep;

  const runs = new Map<string, Run>();
  // Runs forgotten after they went quiet, so that a straggler frame cannot reopen final windows.
  const tombstones = new Map<string, Tombstone>();
  const runRates = new Map<string, number>();
  const counters = {
    framesIn: 0,
    tumblingEmitted: 0,
    slidingEmitted: 0,
    lateUpdates: 0,
    lateRejected: 0,
    tenantRejected: 0,
  };

  // Output since the last drain, allocated only when something happens: most frames emit nothing.
  let outEmitted: FeaturesMessage[] | null = null;
  let outRejected: CoreRejection<Ref>[] | null = null;

  function drain(): CoreOutput<Ref> {
    if (outEmitted === null && outRejected === null) return EMPTY;
    const out: CoreOutput<Ref> = { emitted: outEmitted ?? NONE, rejected: outRejected ?? NONE };
    outEmitted = null;
    outRejected = null;
    return out;
  }

  function reject(reason: RejectReason, error: string, frame: FrameRecord, ref: Ref): void {
    if (reason === 'late') counters.lateRejected++;
    else counters.tenantRejected++;
    (outRejected ??= []).push({ reason, error, frame, ref });
  }

  function runFor(runId: string): Run {
    let run = runs.get(runId);
    if (run) return run;
    run = new Run(runId, runRates.get(runId) ?? cfg.sensorHz);
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

  function windowFor(run: Run, v: Vehicle, k: number, input: InputBound): Win {
    const last = v.last;
    if (last !== null && last.k === k) return last;
    const i = lowerBound(v, k);
    let w = v.wins[i];
    if (w === undefined || w.k !== k) {
      w = new Win(k, windowStart(k, size), windowEnd(k, size), Math.ceil(run.sensorHz * size) + 1);
      v.wins.splice(i, 0, w);
      if (k > run.maxK) run.maxK = k;
      if (w.end < run.nextCheck) run.nextCheck = w.end;
      if (sliding) {
        const j = Math.max(firstSlidingOf(k, cfg), run.minJ, input.minJ);
        if (j < v.nextJ) v.nextJ = j;
        const e = slidingEnd(v.nextJ, cfg);
        if (e < run.nextCheck) run.nextCheck = e;
      }
    }
    v.last = w;
    return w;
  }

  /** A frame arrived for a window the watermark has already passed: re-emit it and its sliding windows. */
  function lateUpdate(run: Run, v: Vehicle, w: Win, input: InputBound, nowMs: number): void {
    w.partial = partialOfRows(w.rows!);
    if (w.emitted) w.revision++;
    w.emitted = true;
    counters.lateUpdates++;
    emitTumbling(run, v, w, nowMs);
    if (!sliding) return;
    for (
      let j = Math.max(firstSlidingOf(w.k, cfg), run.minJ, input.minJ), last = lastSlidingOf(w.k, cfg);
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

  function admit(rec: FrameRecord, ref: Ref): Run | null {
    counters.framesIn++;
    const run = runFor(rec.runId);
    if (run.orgId === null) run.orgId = rec.orgId;
    else if (run.orgId !== rec.orgId) {
      reject('tenant', `run ${run.id} belongs to another organization`, rec, ref);
      return null;
    }
    return run;
  }

  function add(run: Run, rec: FrameRecord, input: InputBound, ref: Ref, nowMs: number): Win | null {
    const t = rec.data[rec.row * STRIDE]!;
    const k = windowIndex(t, size);
    const end = windowEnd(k, size);
    if (k < run.minK || k < input.minK || end + lateness <= run.wm) {
      reject(
        'late',
        `event time ${t} is in window [${windowStart(k, size)}, ${end}) which closed for good at watermark ${end + lateness} (watermark ${run.wm})`,
        rec,
        ref,
      );
      return null;
    }
    let v = run.vehicles.get(rec.vehicleId);
    if (v === undefined) {
      v = new Vehicle(rec.vehicleId);
      run.vehicles.set(rec.vehicleId, v);
    }
    const w = windowFor(run, v, k, input);
    w.rows!.push(rec.data, rec.row);
    if (w.emitted || w.end <= run.wm) lateUpdate(run, v, w, input, nowMs);
    else w.partial = null;
    return w;
  }

  function advanceWatermark(run: Run, wm: number): void {
    // Watermarks never go back: a partition returning from idleness cannot un-emit windows.
    if (wm > run.wm) run.wm = wm;
  }

  function scanIfDue(run: Run, nowMs: number): void {
    if (run.wm >= run.nextCheck) scan(run, run.wm, nowMs);
  }

  function closeRun(run: Run, nowMs: number): void {
    scan(run, Infinity, nowMs);
    setMinK(run, run.maxK + 1);
    run.nextCheck = Infinity;
  }

  function dropWindows(run: Run, drop: (w: Win) => boolean): void {
    for (const v of run.vehicles.values()) {
      const keep = v.wins.filter((w) => !drop(w));
      if (keep.length === v.wins.length) continue;
      v.wins.length = 0;
      v.wins.push(...keep);
      v.last = null;
      if (keep.length === 0) run.vehicles.delete(v.id);
    }
  }

  function firstOpenWindow(run: Run): number {
    return Math.max(firstRetained(run.wm, cfg), run.minK);
  }

  function forget(run: Run, keepTombstone: boolean): void {
    runs.delete(run.id);
    if (keepTombstone) tombstones.set(run.id, { minK: firstOpenWindow(run), wm: run.wm });
  }

  function setRunSensorRate(runId: string, hz: number): void {
    if (!(hz > 0)) throw new Error(`sensor rate must be > 0, got ${hz}`);
    runRates.set(runId, hz);
    const run = runs.get(runId);
    if (run) run.sensorHz = hz;
  }

  function stats(): CoreStats {
    let openWindows = 0;
    for (const run of runs.values())
      for (const v of run.vehicles.values()) for (const w of v.wins) if (!w.finalised) openWindows++;
    return { ...counters, openWindows, runs: runs.size };
  }

  return {
    config: cfg,
    runs,
    runFor,
    admit,
    add,
    advanceWatermark,
    scanIfDue,
    closeRun,
    dropWindows,
    forget,
    firstOpenWindow,
    setRunSensorRate,
    drain,
    stats,
  };
}
