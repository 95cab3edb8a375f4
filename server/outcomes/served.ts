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
}

/** Persists what one request served (the first row) and its shadow rows; returns the served row's id. */
export type ServedRecorder = (served: ServedScore, shadows: ServedScore[]) => Promise<string>;

type Db = Pick<PrismaClient, 'servedPrediction' | '$transaction'>;

export function servedRecorder(db: Db): ServedRecorder {
  return async (served, shadows) => {
    const servedAt = served.servedAt ?? new Date();
    const row = (s: ServedScore) => ({
      orgId: s.orgId,
      modelId: s.modelId,
      modelVersionId: s.versionId,
      alias: s.alias,
      variant: s.variant,
      vehicleId: s.vehicleId,
      runId: s.runId,
      score: s.score,
      label: s.label,
      servedAt,
    });
    const main = await db.servedPrediction.create({ data: row(served), select: { id: true } });
    if (shadows.length > 0)
      await db.servedPrediction
        .createMany({ data: shadows.map((s) => ({ ...row(s), pairedWithId: main.id })) })
        // The shadow is an observation, not part of the answer: losing it never fails the request.
        .catch((err: unknown) => log.warn({ err, modelId: served.modelId }, 'shadow prediction not recorded'));
    return main.id;
  };
}
