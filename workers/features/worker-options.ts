import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
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
