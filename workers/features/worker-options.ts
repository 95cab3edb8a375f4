import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { CONSUMER_GROUPS } from '~/server/kafka/topics';
import type { WindowOperatorConfig } from './config';

/** How startFeaturesWorker (features-worker.ts) is configured; main.ts reads them from the environment. */
export interface FeaturesWorkerOptions {
  kafka: Kafka;
  pool: Pool;
  redis: Redis;
  prefix?: string;
  groupId?: string;
  window?: Partial<WindowOperatorConfig>;
  /** TTL of the online store entries. */
  onlineTtlS?: number;
  /** Reject frames of runs with no Run row (default: accept, see run-registry.ts). */
  requireRun?: boolean;
  commitIntervalMs?: number;
  /** Consumer-group session timeout: how long a crashed copy's partitions wait before moving. */
  sessionTimeoutMs?: number;
  /** Processing-time tick: idle partitions, finished runs, periodic flush and commit. */
  tickMs?: number;
  finishGraceMs?: number;
  eventsLookbackMs?: number;
  /** See partition-aligner.ts. */
  alignSlackMs?: number;
  /** Upper bound of rows per INSERT statement. */
  upsertBatchRows?: number;
  /**
   * Threads that parse telemetry JSON while the main thread windows (decode-pool.ts). 0 parses
   * inline. Default 0; main.ts sets one per spare core.
   */
  decodeThreads?: number;
  /** Batches fetched and queued ahead of the one being windowed (default 8). */
  prefetchBatches?: number;
  /** Called with the window close → dl.features acknowledgement latencies (ms) of each send. */
  onProduced?: (latenciesMs: number[]) => void;
  /** Errors the worker cannot recover from in process (a sink that keeps failing). */
  onFatal?: (err: unknown) => void;
}

export interface FeaturesWorker {
  stop(): Promise<void>;
  ready(): boolean;
  stats(): FeaturesWorkerStats;
}

export interface FeaturesWorkerStats {
  framesIn: number;
  invalid: number;
  windowsOut: number;
  dlq: number;
  commits: number;
  lastCommitAt: number;
}

/** The defaults of the optional settings, in one place (the options above say what each means). */
export const FEATURES_DEFAULTS = {
  groupId: CONSUMER_GROUPS.features as string,
  onlineTtlS: 3600,
  requireRun: false as boolean,
  commitIntervalMs: 1000,
  sessionTimeoutMs: 30_000,
  tickMs: 100,
  finishGraceMs: 10_000,
  eventsLookbackMs: 3_600_000,
  alignSlackMs: 250,
  upsertBatchRows: 2000,
  decodeThreads: 0,
  prefetchBatches: 8,
} satisfies Partial<FeaturesWorkerOptions>;

export type ResolvedFeaturesOptions = FeaturesWorkerOptions & typeof FEATURES_DEFAULTS;

/** The options with every default filled in. */
export function withDefaults(o: FeaturesWorkerOptions): ResolvedFeaturesOptions {
  const d = FEATURES_DEFAULTS;
  return {
    ...o,
    groupId: o.groupId ?? d.groupId,
    onlineTtlS: o.onlineTtlS ?? d.onlineTtlS,
    requireRun: o.requireRun ?? d.requireRun,
    commitIntervalMs: o.commitIntervalMs ?? d.commitIntervalMs,
    sessionTimeoutMs: o.sessionTimeoutMs ?? d.sessionTimeoutMs,
    tickMs: o.tickMs ?? d.tickMs,
    finishGraceMs: o.finishGraceMs ?? d.finishGraceMs,
    eventsLookbackMs: o.eventsLookbackMs ?? d.eventsLookbackMs,
    alignSlackMs: o.alignSlackMs ?? d.alignSlackMs,
    upsertBatchRows: o.upsertBatchRows ?? d.upsertBatchRows,
    decodeThreads: o.decodeThreads ?? d.decodeThreads,
    prefetchBatches: o.prefetchBatches ?? d.prefetchBatches,
  };
}
