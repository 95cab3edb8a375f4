import type { PrismaClient } from '@prisma/client';
import { FEATURE_SET } from '../contracts/features';
import { AppError } from '../errors';
import { featureIndex, fillRow } from '../inference/scoring';
import type { ServingCache } from '../inference/serving';
import { explainRow } from './explain';

/** Features an alert's "why" lists: the few that moved its score most. */
export const ALERT_WHY_TOP = 5;

export type AlertWhy =
  | {
      available: true;
      modelName: string;
      version: number;
      score: number;
      base: number;
      /** Largest |contribution| first; value null when the window had no data for it (imputed). */
      top: { feature: string; value: number | null; contribution: number }[];
    }
  | { available: false; reason: string };

/**
 * Why an alert fired: the alerting window's features (from the offline store, as the features
 * worker wrote them) explained by KernelSHAP on the version that raised it, so base + Σ
 * contributions is the score it alerted on. Another org's alert is "not found".
 */
export async function explainAlert(
  db: PrismaClient,
  cache: ServingCache,
  orgId: string,
  alertId: string,
): Promise<AlertWhy> {
  const alert = await db.alert.findFirst({ where: { id: alertId, orgId } });
  if (!alert) throw new AppError('NOT_FOUND', 'Alert not found');
  // Raw SQL: the features worker stores NULL for a feature a window had no data for, and
  // Prisma's Float[] mapping throws on a NULL element (every windowed fault run has some).
  const [window] = await db.$queryRaw<{ featureSetVersion: string; values: (number | null)[] }[]>`
    SELECT "featureSetVersion", "values" FROM "FeatureWindow"
    WHERE "orgId" = ${orgId} AND "runId" = ${alert.runId} AND "vehicleId" = ${alert.vehicleId}
      AND "windowStart" = ${alert.windowStart} AND "windowEnd" = ${alert.windowEnd}
    ORDER BY revision DESC LIMIT 1`;
  // The offline store is written by the features worker beside dl.features: a moment behind.
  if (!window) return { available: false, reason: 'The alerting window’s features are not stored yet.' };
  if (window.featureSetVersion !== FEATURE_SET.version)
    return { available: false, reason: `Feature set ${window.featureSetVersion} is not the one served.` };
  const version = await db.modelVersion.findFirst({
    where: { id: alert.modelVersionId, orgId },
    select: { version: true },
  });
  if (!version) return { available: false, reason: 'The version that raised it is no longer registered.' };
  const { session: s } = await cache.resolve(orgId, alert.modelId, { version: version.version });
  if (s.info.inputShape.length !== 1)
    return { available: false, reason: 'Sequence models are not explained per window.' };
  const { index, missing } = featureIndex(s.info.featureNames, FEATURE_SET.names);
  if (missing.length > 0)
    return { available: false, reason: `The window lacks features the model needs: ${missing.join(', ')}` };
  const values = window.values;
  const row = new Float32Array(s.info.featureNames.length);
  fillRow(values, index, s.means, row, 0);
  const e = await explainRow(s, row);
  const top = s.info.featureNames
    .map((feature, j) => {
      const raw = values[index[j]!];
      return {
        feature,
        value: raw === null || raw === undefined || !Number.isFinite(raw) ? null : raw,
        contribution: e.values[j]!,
      };
    })
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, ALERT_WHY_TOP);
  return { available: true, modelName: s.info.modelName, version: s.info.version, score: e.output, base: e.base, top };
}
