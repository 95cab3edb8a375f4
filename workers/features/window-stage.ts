import type { KafkaMessage } from 'kafkajs';
import type { RawMessageRef } from '~/server/kafka/messages';
import { childLogger } from '~/server/observability/logger';
import type { CommittedPosition, PartitionHandover } from './handover';
import type { WindowOperator, OperatorOutput } from './operator';
import type { AlignedItem } from './partition-aligner';
import { RunFinishTracker } from './run-finish';
import type { RunRegistry } from './run-registry';
import type { FeatureSinks } from './sinks';
import type { Held } from './source';
import { featureMetrics as fm } from './worker-metrics';

const log = childLogger('features');

export interface WindowStageOptions {
  op: WindowOperator;
  registry: RunRegistry;
  handover: PartitionHandover;
  sinks: FeatureSinks;
  telemetryTopic: string;
  finishGraceMs: number;
  requireRun: boolean;
}

async function withRetries<T>(fn: () => Promise<T>, attempts: number, firstDelayMs: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      log.warn({ err, attempt: i }, 'run lookup failed; retrying');
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** (i - 1)));
    }
  }
}

function rawOf(topicName: string, partition: number, m: KafkaMessage): RawMessageRef {
  return { topic: topicName, partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp };
}

/**
 * Drives the window operator: released frames after the tenant rule, run lifecycle (sensor
 * rates, finished runs), idle partitions; what it emits or rejects goes to the sinks' buffers.
 * Every method runs inside the worker's serial chain.
 */
export class WindowStage {
  readonly finishes: RunFinishTracker;
  private readonly rates = new Map<string, number>();
  windowsOut = 0;
  invalid = 0;

  constructor(private readonly o: WindowStageOptions) {
    this.finishes = new RunFinishTracker(o.finishGraceMs);
  }

  private take(out: OperatorOutput, triggerTs: number | null, nowMs: number, raw?: RawMessageRef): void {
    if (out.emitted.length > 0) {
      for (const m of out.emitted) {
        this.o.sinks.emit(m);
        fm.windowsOut.inc({ kind: m.kind });
        if (m.revision > 0) fm.lateFrames.inc({ outcome: 'updated' });
        if (triggerTs !== null) fm.frameToEmitSeconds.observe(Math.max(0, nowMs - triggerTs) / 1000);
      }
      this.windowsOut += out.emitted.length;
    }
    for (const r of out.rejected) {
      if (r.reason === 'late') fm.lateFrames.inc({ outcome: 'rejected' });
      // Already sent by the owner that committed past it (see resume-marker.ts).
      if (this.o.handover.alreadySent(r.partition, r.offset)) continue;
      if (raw) this.o.sinks.reject({ raw, reason: r.reason, error: r.error, orgId: r.frame.orgId });
    }
  }

  setRate(runId: string, hz: number): void {
    if (this.rates.get(runId) === hz) return;
    this.rates.set(runId, hz);
    this.o.op.setRunSensorRate(runId, hz);
  }

  async process(released: AlignedItem<Held>[], nowMs: number): Promise<void> {
    if (released.length === 0) return;
    const { op, registry, handover, sinks, telemetryTopic } = this.o;
    const runIds = new Set<string>();
    for (const it of released) if (it.value.frame) runIds.add(it.value.frame.runId);
    if (runIds.size > 0) {
      // Released frames are in hand only here: a brief database outage is waited out rather than
      // stopping the worker (which would then replay from its last commit).
      await withRetries(() => registry.resolve(runIds), 5, 200);
      for (const runId of runIds) {
        const info = registry.get(runId);
        if (info?.rateHz) this.setRate(runId, info.rateHz);
        this.finishes.noteFrames(runId, nowMs);
      }
    }
    for (const { partition: p, value: h } of released) {
      const frame = h.frame;
      if (frame === null) {
        this.invalid++;
        sinks.reject({ raw: rawOf(telemetryTopic, p, h.m), reason: h.reason!, error: h.error! });
        continue;
      }
      const info = registry.get(frame.runId);
      if ((info && info.orgId !== frame.orgId) || (!info && this.o.requireRun)) {
        if (!handover.alreadySent(p, h.offset)) {
          const error = info
            ? `run ${frame.runId} does not belong to organization ${frame.orgId}`
            : `unknown run ${frame.runId}`;
          sinks.reject({ raw: rawOf(telemetryTopic, p, h.m), reason: 'tenant', error, orgId: frame.orgId });
        }
        continue;
      }
      const out = op.ingestRecord(frame, { partition: p, offset: h.offset }, nowMs);
      if (out.emitted.length > 0 || out.rejected.length > 0)
        this.take(out, Number(h.m.timestamp), nowMs, rawOf(telemetryTopic, p, h.m));
    }
    this.finishDue(nowMs);
  }

  /** Runs whose run_finished has been seen and whose frames have all arrived are flushed. */
  finishDue(nowMs: number): void {
    const { op } = this.o;
    if (this.finishes.size === 0) return;
    const cfg = op.config;
    for (const runId of this.finishes.due(
      (r) => op.watermark(r),
      (r) => this.rates.get(r) ?? cfg.sensorHz,
      cfg.outOfOrdernessS,
      nowMs,
    )) {
      this.take(op.flushRun(runId, nowMs), null, nowMs);
    }
  }

  advanceIdle(nowMs: number): void {
    this.take(this.o.op.advanceIdle(nowMs), null, nowMs);
  }

  /** Processing time: what the source released, finished runs, idle partitions. */
  async tick(released: AlignedItem<Held>[], nowMs: number): Promise<void> {
    await this.process(released, nowMs);
    this.finishDue(nowMs);
    this.advanceIdle(nowMs);
  }

  /** After a (re)join: the operator drops revoked partitions and restores the assigned ones from their commits. */
  assign(revoked: number[], partitions: number[], committed: CommittedPosition[], nowMs: number): void {
    const { op } = this.o;
    op.revokePartitions(revoked);
    op.assignPartitions(partitions);
    for (const c of committed) op.restore(c.partition, Number(c.offset), c.metadata, nowMs);
  }

  /** A run_started (its sensor rate) or run_finished event of a run of the event's org. */
  async runEvent(
    e: { type: 'run_started'; runId: string; orgId: string; rateHz: number } | RunFinished,
  ): Promise<void> {
    await this.o.registry.resolve([e.runId]);
    const info = this.o.registry.get(e.runId);
    if (info && info.orgId !== e.orgId) return;
    if (e.type === 'run_started') this.setRate(e.runId, e.rateHz);
    else this.finishes.finished(e.runId, e.t, Date.now());
  }
}

interface RunFinished {
  type: 'run_finished';
  runId: string;
  orgId: string;
  /** Event time of the run's end. */
  t: number;
}
