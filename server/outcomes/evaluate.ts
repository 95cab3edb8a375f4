import type { PrismaClient } from '@prisma/client';
import { audit } from '../audit';
import { AppError } from '../errors';
import { moveAlias, publishDeployment, type DeploymentPublisher } from '../models/aliases';
import { childLogger } from '../observability/logger';
import { metricOf, variantOutcome, type LabelledPrediction, type OutcomeMetric, type VariantOutcome } from './metrics';
import { msprt, type MsprtResult } from './sequential';
import type { Variant } from './served';

const log = childLogger('outcomes');

/** The newest labelled predictions an evaluation reads per alias: bounds the query on a busy model. */
export const OUTCOME_ROW_LIMIT = 50_000;

export const AUTO_ROLLBACK_ACTOR = 'outcomes: automatic rollback';

export interface OutcomeReport {
  modelId: string;
  model: string;
  alias: string;
  metric: OutcomeMetric;
  /** Labels count from here: when the current canary (or the alias itself) was last set. */
  since: string;
  variants: { variant: Variant; versionId: string; version: number; outcome: VariantOutcome }[];
  canaryTest: MsprtResult | null;
  shadowTest: MsprtResult | null;
  autoRollback: boolean;
  /** Set when this evaluation cleared the canary. */
  rolledBack: { canaryVersion: number; eventId: string } | null;
}

/** Per-variant outcomes of an alias and the sequential tests of canary and shadow against the baseline. */
export async function outcomeReport(
  db: PrismaClient,
  orgId: string,
  modelId: string,
  aliasName: string,
): Promise<OutcomeReport> {
  const alias = await db.modelAlias.findFirst({
    where: { orgId, modelId, name: aliasName },
    include: { model: { select: { name: true, kind: true } } },
  });
  if (!alias) throw new AppError('NOT_FOUND', `This model has no alias "${aliasName}"`);
  // Compare like with like: only labels of predictions served since the current split began.
  const lastMove = await db.modelAliasEvent.findFirst({
    where: { orgId, modelId, alias: aliasName },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { createdAt: true },
  });
  const since = lastMove?.createdAt ?? new Date(0);
  const rows = await db.servedPrediction.findMany({
    where: {
      orgId,
      modelId,
      alias: aliasName,
      servedAt: { gte: since },
      OR: [{ observed: { not: null } }, { observedLabel: { not: null } }],
    },
    orderBy: { servedAt: 'desc' },
    take: OUTCOME_ROW_LIMIT,
    select: { variant: true, modelVersionId: true, score: true, label: true, observed: true, observedLabel: true },
  });
  const targets: [Variant, string | null][] = [
    ['baseline', alias.versionId],
    ['canary', alias.canaryVersionId],
    ['shadow', alias.shadowVersionId],
  ];
  const ids = targets.map(([, id]) => id).filter((x): x is string => x !== null);
  const versions = new Map(
    (await db.modelVersion.findMany({ where: { id: { in: ids } }, select: { id: true, version: true } })).map((v) => [
      v.id,
      v.version,
    ]),
  );
  const variants: OutcomeReport['variants'] = [];
  for (const [variant, versionId] of targets) {
    if (!versionId) continue;
    const mine: LabelledPrediction[] = rows.filter((r) => r.variant === variant && r.modelVersionId === versionId);
    variants.push({
      variant,
      versionId,
      version: versions.get(versionId) ?? 0,
      outcome: variantOutcome(alias.model.kind, mine),
    });
  }
  const of = (v: Variant) => variants.find((x) => x.variant === v)?.outcome.summary;
  const base = of('baseline');
  const canary = of('canary');
  const shadow = of('shadow');
  return {
    modelId,
    model: alias.model.name,
    alias: aliasName,
    metric: metricOf(alias.model.kind),
    since: since.toISOString(),
    variants,
    canaryTest: base && canary ? msprt(base, canary) : null,
    shadowTest: base && shadow ? msprt(base, shadow) : null,
    autoRollback: alias.autoRollback,
    rolledBack: null,
  };
}

/**
 * Evaluates the alias and, when it has automatic rollback on and the canary is significantly worse,
 * clears the canary (an audited alias move, plus an audit entry with the test that decided it).
 */
export async function evaluateOutcomes(
  db: PrismaClient,
  orgId: string,
  modelId: string,
  aliasName: string,
  publish: DeploymentPublisher = publishDeployment,
): Promise<OutcomeReport> {
  const report = await outcomeReport(db, orgId, modelId, aliasName);
  const canary = report.variants.find((v) => v.variant === 'canary');
  if (!report.autoRollback || !canary || report.canaryTest?.verdict !== 'canary-worse') return report;
  const actor = { label: AUTO_ROLLBACK_ACTOR };
  let moved;
  try {
    moved = await moveAlias(db, { orgId, actor }, { action: 'canary_clear', modelId, alias: aliasName }, publish);
  } catch (err) {
    // Another evaluation (a concurrent feedback call) got there first: nothing left to clear.
    if (err instanceof AppError && err.code === 'PRECONDITION_FAILED') return report;
    throw err;
  }
  const t = report.canaryTest;
  await audit(db, {
    orgId,
    action: 'model.canary_auto_rolled_back',
    actor,
    target: { type: 'model', id: modelId },
    data: {
      model: report.model,
      alias: aliasName,
      canaryVersion: canary.version,
      metric: report.metric,
      difference: t.difference,
      pValue: t.pValue,
      alpha: t.alpha,
      baselineN: report.variants.find((v) => v.variant === 'baseline')?.outcome.n ?? 0,
      canaryN: canary.outcome.n,
    },
  });
  log.warn({ orgId, modelId, alias: aliasName, pValue: t.pValue }, 'canary rolled back: significantly worse outcomes');
  return { ...report, rolledBack: { canaryVersion: canary.version, eventId: moved.eventId } };
}
