import type { FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { ResolvedWindowConfig, WindowOperatorConfig } from './config';
import { recordOf, STRIDE, type FrameRecord } from './frame-row';
import { ResumePoints, type CommittableOffset, type FramePosition } from './resume-points';
import { createWindowCore, type CoreOutput, type CoreStats, type RejectReason } from './window-core';

export type { CommittableOffset, FramePosition } from './resume-points';
export type { RejectReason } from './window-core';
export type OperatorStats = CoreStats;

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
  /** The partitions this consumer owns now (see ResumePoints.assign). */
  assignPartitions(partitions: readonly number[]): void;
  /** The sensor rate a run was configured with (run_started event), for the missing-frame ratio. */
  setRunSensorRate(runId: string, hz: number): void;
  /** The run's combined watermark, or null for an unknown run. */
  watermark(runId: string): number | null;
  stats(): OperatorStats;
}

const NONE: readonly never[] = Object.freeze([]);
const EMPTY: OperatorOutput = Object.freeze({ emitted: NONE, rejected: NONE });

/** A frame's position, with the parsed frame when ingest was given one (for its rejection). */
type Ref = FramePosition & { parsed?: TelemetryFrame };

/**
 * The features worker's window operator (../shared/DESIGN.md, "Streaming semantics"): the pure
 * window core (window-core.ts) fed through the resume points (resume-points.ts), which own every
 * partition and offset. Pure: no I/O, processing time only through the nowMs arguments.
 */
export function createWindowOperator(overrides: Partial<WindowOperatorConfig> = {}): WindowOperator {
  const core = createWindowCore<Ref>(overrides);
  const points = new ResumePoints(core);

  function output(): OperatorOutput {
    const out: CoreOutput<Ref> = core.drain();
    if (out.rejected.length === 0) return out.emitted.length === 0 ? EMPTY : { emitted: out.emitted, rejected: NONE };
    return {
      emitted: out.emitted,
      rejected: out.rejected.map(({ reason, error, frame, ref }) => ({
        reason,
        error,
        frame: ref.parsed ?? frame,
        partition: ref.partition,
        offset: ref.offset,
      })),
    };
  }

  function ingestRecord(rec: FrameRecord, ref: Ref, nowMs: number): OperatorOutput {
    points.noteRead(ref);
    const run = core.admit(rec, ref);
    if (run === null) return output();
    const stream = points.streamOf(run, ref, nowMs);
    const w = core.add(run, rec, stream, ref, nowMs);
    if (w !== null) points.noteWindow(w, ref, stream);
    points.advance(run, stream, rec.data[rec.row * STRIDE]!, nowMs);
    core.scanIfDue(run, nowMs);
    return output();
  }

  function advanceIdle(nowMs: number): OperatorOutput {
    for (const run of core.runs.values()) {
      points.refresh(run, nowMs);
      core.scanIfDue(run, nowMs);
      if (nowMs - points.lastSeen(run) < core.config.idleRunCloseMs) continue;
      // Quiet that long: a run with windows is closed; one known only from a commit is let go.
      if (run.vehicles.size > 0) core.closeRun(run, nowMs);
      points.settle(run);
    }
    return output();
  }

  function flushRun(runId: string, nowMs: number): OperatorOutput {
    const run = core.runs.get(runId);
    if (run) {
      core.closeRun(run, nowMs);
      points.settle(run);
    }
    return output();
  }

  return {
    config: core.config,
    ingest: (frame, pos, nowMs) =>
      ingestRecord(recordOf(frame), { partition: pos.partition, offset: pos.offset, parsed: frame }, nowMs),
    ingestRecord,
    advanceIdle,
    flushRun,
    flush(nowMs) {
      for (const run of core.runs.values()) {
        core.closeRun(run, nowMs);
        points.settle(run);
      }
      return output();
    },
    committableOffsets: () => points.committableOffsets(),
    restore: (partition, committedOffset, metadata, nowMs) =>
      points.restore(partition, committedOffset, metadata, nowMs),
    revokePartitions: (revoked) => points.revoke(revoked),
    assignPartitions: (owned) => points.assign(owned),
    setRunSensorRate: (runId, hz) => core.setRunSensorRate(runId, hz),
    watermark: (runId) => core.runs.get(runId)?.wm ?? null,
    stats: () => core.stats(),
  };
}
