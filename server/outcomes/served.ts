import { createHash } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { childLogger } from '../observability/logger';

const log = childLogger('outcomes.served');

export const VARIANTS = ['baseline', 'canary', 'shadow'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One scored request as it is kept for outcomes: the answer, and the shadow's score of the same input. */
export interface ServedScore {
  orgId: string;
  modelId: string;
  versionId: string;
  alias: string | null;
  variant: Variant;
  vehicleId: string | null;
  runId: string | null;
  score: number;
  label: string | null;
  servedAt?: Date;
  /** The event-time window scored (seconds since the run started), when it came from a run. */
  windowStart?: number | null;
  windowEnd?: number | null;
}

/** One served score as its ServedPrediction row: the one mapping for the request and stream paths. */
function servedRow(s: ServedScore, servedAt: Date) {
  return {
    orgId: s.orgId,
    modelId: s.modelId,
    modelVersionId: s.versionId,
    alias: s.alias,
    variant: s.variant,
    vehicleId: s.vehicleId,
    runId: s.runId,
    windowStart: s.windowStart ?? null,
    windowEnd: s.windowEnd ?? null,
    score: s.score,
    label: s.label,
    servedAt,
  };
}

/** Persists what one request served (the first row) and its shadow rows; returns the served row's id. */
export type ServedRecorder = (served: ServedScore, shadows: ServedScore[]) => Promise<string>;

type Db = Pick<PrismaClient, 'servedPrediction' | '$transaction'>;

export function servedRecorder(db: Db): ServedRecorder {
  return async (served, shadows) => {
    const servedAt = served.servedAt ?? new Date();
    const row = (s: ServedScore) => servedRow(s, servedAt);
    const main = await db.servedPrediction.create({ data: row(served), select: { id: true } });
    if (shadows.length > 0)
      await db.servedPrediction
        .createMany({ data: shadows.map((s) => ({ ...row(s), pairedWithId: main.id })) })
        // The shadow is an observation, not part of the answer: losing it never fails the request.
        .catch((err: unknown) => log.warn({ err, modelId: served.modelId }, 'shadow prediction not recorded'));
    return main.id;
  };
}

/** One streamed prediction as kept for outcomes; its id is derived, so a replayed batch adds nothing. */
export interface StreamServedRow extends ServedScore {
  id: string;
  /** A shadow row: the id of the served row of the same window. */
  pairedWithId: string | null;
}

/**
 * The id of one streamed prediction: derived from what it scored, so a Kafka batch that is
 * retried (or a window re-emitted by late frames) never records the same prediction twice.
 */
export function streamServedId(
  p: { runId: string; vehicleId: string; windowStart: number; windowEnd: number; versionId: string },
  alias: string,
  variant: Variant,
): string {
  return createHash('sha256')
    .update(JSON.stringify([p.runId, p.vehicleId, p.windowStart, p.windowEnd, p.versionId, alias, variant]))
    .digest('hex')
    .slice(0, 32);
}

/** Writes the inference worker's streamed predictions (served and shadow rows) for outcome metrics. */
export async function recordStreamServed(
  db: Pick<PrismaClient, 'servedPrediction'>,
  rows: readonly StreamServedRow[],
): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const { count } = await db.servedPrediction.createMany({
      data: rows.slice(i, i + 1000).map((s) => ({
        id: s.id,
        ...servedRow(s, s.servedAt ?? new Date()),
        pairedWithId: s.pairedWithId,
      })),
      skipDuplicates: true,
    });
    written += count;
  }
  return written;
}
