import { z } from 'zod';

/**
 * What a restarted operator must know, beyond the committed offset, to rebuild exactly the
 * windows it had: per run on the partition, the first tumbling window index that was not yet
 * final (frames of earlier windows replayed from the offset must not rebuild them partially) and
 * the highest event time seen before the offset (so that the watermark starts where it was; this
 * matters for a run spread over partitions, whose combined watermark would otherwise sit at −∞
 * until every partition has replayed a frame). It travels as the Kafka commit's metadata string:
 * about 45 bytes per run. The broker's offset.metadata.max.bytes (default 4096, about 60 concurrent
 * runs per partition) bounds it; the stack sets 65536, and the README asks the same of own brokers.
 */
export interface RunResumePoint {
  /** Tumbling windows with a smaller index are final; null when none is. */
  firstOpenWindow: number | null;
  /** Highest event time seen on this partition before the offset; null when none. */
  maxEventTime: number | null;
}

const metadataSchema = z.object({
  v: z.literal(1),
  runs: z.record(z.string(), z.tuple([z.number().int().nullable(), z.number().nullable()])),
});

export function encodeCommitMetadata(runs: Map<string, RunResumePoint>): string {
  const out: Record<string, [number | null, number | null]> = {};
  for (const [runId, p] of runs) out[runId] = [p.firstOpenWindow, p.maxEventTime];
  return JSON.stringify({ v: 1, runs: out });
}

/** Null for a commit made by something else (no or foreign metadata): nothing to restore. */
export function decodeCommitMetadata(metadata: string | null | undefined): Map<string, RunResumePoint> | null {
  if (!metadata) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(metadata);
  } catch {
    return null;
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success) return null;
  const runs = new Map<string, RunResumePoint>();
  for (const [runId, [firstOpenWindow, maxEventTime]] of Object.entries(parsed.data.runs)) {
    runs.set(runId, { firstOpenWindow, maxEventTime });
  }
  return runs;
}
