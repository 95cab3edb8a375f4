import type { PrismaClient } from '@prisma/client';
import { FEEDBACK_MATCH_WINDOW_MS, type FeedbackRequest } from '../contracts/feedback';
import { AppError } from '../errors';
import type { DeploymentPublisher } from '../models/aliases';
import { evaluateOutcomes, type OutcomeReport } from './evaluate';
import { metricOf } from './metrics';

export interface FeedbackResult {
  predictionId: string;
  model: string;
  version: number;
  variant: string;
  observed: number | string;
  /** Rows labelled: the served prediction and its shadow twins. */
  labelled: number;
  outcomes: OutcomeReport | null;
}

/** The observed value in the form the model's kind compares with (a 400 when it cannot be). */
function observedFor(
  kind: string,
  observed: FeedbackRequest['observed'],
): { value: number | null; label: string | null } {
  if (metricOf(kind) === 'squared_error') {
    if (typeof observed !== 'number')
      throw new AppError('BAD_REQUEST', `A ${kind} model's observed outcome is a number`, {
        issues: [{ path: 'observed', code: 'invalid_type', message: 'expected a number' }],
      });
    return { value: observed, label: null };
  }
  if (kind === 'autoencoder') {
    if (typeof observed === 'boolean') return { value: observed ? 1 : 0, label: null };
    if (observed === 0 || observed === 1) return { value: observed, label: null };
    throw new AppError('BAD_REQUEST', 'An anomaly model’s observed outcome is true/false (or 1/0): was it anomalous?', {
      issues: [{ path: 'observed', code: 'invalid_type', message: 'expected true, false, 1 or 0' }],
    });
  }
  if (typeof observed === 'boolean')
    throw new AppError('BAD_REQUEST', 'A classifier’s observed outcome is its class, by name or index', {
      issues: [{ path: 'observed', code: 'invalid_type', message: 'expected a class name or index' }],
    });
  return typeof observed === 'number' ? { value: observed, label: String(observed) } : { value: null, label: observed };
}

/**
 * Records one observed outcome on the prediction it belongs to (and on the shadow rows scored
 * from the same request), then re-evaluates the alias, which may roll a clearly worse canary back.
 */
export async function recordFeedback(
  db: PrismaClient,
  orgId: string,
  req: FeedbackRequest,
  opts: { source?: string; publish?: DeploymentPublisher } = {},
): Promise<FeedbackResult> {
  const select = { id: true, modelId: true, modelVersionId: true, variant: true, alias: true } as const;
  let served;
  if (req.predictionId !== undefined) {
    served = await db.servedPrediction.findFirst({ where: { id: req.predictionId, orgId }, select });
    if (!served) throw new AppError('NOT_FOUND', `Prediction '${req.predictionId}' not found`);
  } else {
    const model = await db.registeredModel.findFirst({
      where: { orgId, OR: [{ name: req.model! }, { id: req.model! }] },
      select: { id: true },
    });
    if (!model) throw new AppError('NOT_FOUND', `Model '${req.model}' not found`);
    const at = new Date(req.time!);
    served = await db.servedPrediction.findFirst({
      where: {
        orgId,
        modelId: model.id,
        vehicleId: req.vehicleId!,
        variant: { not: 'shadow' },
        servedAt: { lte: at, gte: new Date(at.getTime() - FEEDBACK_MATCH_WINDOW_MS) },
      },
      orderBy: { servedAt: 'desc' },
      select,
    });
    if (!served)
      throw new AppError(
        'NOT_FOUND',
        `No prediction of model '${req.model}' for vehicle '${req.vehicleId}' in the hour up to ${at.toISOString()}`,
      );
  }
  const [version, model] = await Promise.all([
    db.modelVersion.findUniqueOrThrow({ where: { id: served.modelVersionId }, select: { version: true } }),
    db.registeredModel.findUniqueOrThrow({ where: { id: served.modelId }, select: { name: true, kind: true } }),
  ]);
  const { value, label } = observedFor(model.kind, req.observed);
  const { count } = await db.servedPrediction.updateMany({
    where: { orgId, OR: [{ id: served.id }, { pairedWithId: served.id }] },
    data: { observed: value, observedLabel: label, observedAt: new Date(), observedSource: opts.source ?? 'api' },
  });
  const outcomes = served.alias ? await evaluateOutcomes(db, orgId, served.modelId, served.alias, opts.publish) : null;
  return {
    predictionId: served.id,
    model: model.name,
    version: version.version,
    variant: served.variant,
    observed: label ?? value!,
    labelled: count,
    outcomes,
  };
}
