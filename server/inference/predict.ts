import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { FLOAT32_MAX, predictRequestSchema, vehiclePredictRequestSchema } from '../contracts/predict';
import { AppError } from '../errors';
import { readOnlineFeatures } from '../store/online-features';
import { featureIndex, fillRow, labelOf, mapNamedFeatures, scoresOf } from './scoring';
import { ModelNotFoundError, type ResolvedModel, type ServingCache } from './serving';
import type { VersionSession } from './version-session';
import type { ServedRecorder, ServedScore } from '../outcomes/served';

export { FLOAT32_MAX, predictRequestSchema, vehiclePredictRequestSchema };

function assertRowModel(s: VersionSession): void {
  if (s.info.inputShape.length === 1) return;
  throw new AppError(
    'BAD_REQUEST',
    `Model '${s.info.modelName}' takes a sequence of ${s.info.inputShape[0]} windows per prediction; use the Open Inference Protocol endpoint of the inference worker`,
  );
}

/** What a predict route does with each row it scored (the web's drift windows: server/drift/serving.ts). */
export type OnScored = (version: VersionSession['info'], row: Float32Array, score: number) => void;

export async function score(s: VersionSession, row: Float32Array) {
  const started = process.hrtime.bigint();
  const out = await s.infer(row, 1);
  const scores = scoresOf(s.spec, out, 1);
  const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
  const value = scores[0]!;
  // A non-finite score is never a success: JSON would carry it as null.
  if (!Number.isFinite(value))
    throw new AppError(
      'UNPROCESSABLE_CONTENT',
      `Model '${s.info.modelName}' produced a non-finite score for these features`,
      {
        issues: [{ path: 'features', code: 'non_finite', message: 'the model output is not finite for this input' }],
      },
    );
  return {
    prediction: { score: value, label: labelOf(s.spec, out, 1, 0, value), threshold: s.spec.threshold },
    latencyMs,
  };
}

export function describe(s: VersionSession, alias: string | null) {
  return {
    model: s.info.modelName,
    version: s.info.version,
    versionId: s.info.id,
    alias,
    kind: s.info.kind,
    executionProvider: s.provider,
  };
}

/** The org's model as both predict routes serve it: NOT_FOUND unknown, BAD_REQUEST a sequence model. */
async function resolveRowModel(
  cache: ServingCache,
  orgId: string,
  model: string,
  opts: Parameters<ServingCache['resolve']>[2],
): Promise<ResolvedModel> {
  let resolved: ResolvedModel;
  try {
    resolved = await cache.resolve(orgId, model, opts);
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw new AppError('NOT_FOUND', err.message);
    throw err;
  }
  assertRowModel(resolved.session);
  return resolved;
}

/**
 * The named-features body as one row of the model it resolves to (shared by predict and explain),
 * or an AppError when it cannot be: 404 unknown model, 400 a sequence model or mismatched names.
 */
export async function namedRow(
  cache: ServingCache,
  orgId: string,
  req: z.infer<typeof predictRequestSchema>,
): Promise<{ resolved: ResolvedModel; row: Float32Array; imputed: string[] }> {
  const resolved = await resolveRowModel(cache, orgId, req.model, {
    alias: req.alias,
    version: req.version,
    vehicleId: req.vehicleId ?? null,
  });
  const s = resolved.session;
  const mapped = mapNamedFeatures(s.info.featureNames, req.features, s.means);
  if (!mapped.ok) {
    const parts = [
      mapped.missing.length ? `missing: ${mapped.missing.join(', ')}` : null,
      mapped.unknown.length ? `unknown: ${mapped.unknown.join(', ')}` : null,
    ].filter(Boolean);
    throw new AppError(
      'BAD_REQUEST',
      `Features do not match model '${s.info.modelName}' v${s.info.version} (${parts.join('; ')})`,
      {
        issues: [
          ...mapped.missing.map((f) => ({ path: `features.${f}`, code: 'missing', message: 'the model needs it' })),
          ...mapped.unknown.map((f) => ({
            path: `features.${f}`,
            code: 'unknown',
            message: 'the model has no such feature',
          })),
        ],
        extra: { missing: mapped.missing, unknown: mapped.unknown, expected: s.info.featureNames },
      },
    );
  }
  return { resolved, row: mapped.row, imputed: mapped.imputed };
}

/**
 * Keeps the served answer (and the shadow's score of the same row) for outcome metrics; returns
 * the predictionId that feedback names. A shadow that fails to score is logged by the recorder's
 * caller and skipped: it never changes the answer.
 */
async function recordServed(
  record: ServedRecorder | undefined,
  orgId: string,
  resolved: ResolvedModel,
  row: Float32Array,
  prediction: { score: number; label: string | null },
  where: { vehicleId: string | null; runId: string | null; windowStart?: number; windowEnd?: number },
): Promise<string | undefined> {
  if (!record) return undefined;
  const base = (s: VersionSession, variant: ServedScore['variant'], p: { score: number; label: string | null }) => ({
    orgId,
    modelId: s.info.modelId,
    versionId: s.info.id,
    alias: resolved.alias,
    variant,
    ...where,
    score: p.score,
    label: p.label,
  });
  const shadows: ServedScore[] = [];
  if (resolved.shadow) {
    const shadowScore = await score(resolved.shadow, row).catch(() => null);
    if (shadowScore) shadows.push(base(resolved.shadow, 'shadow', shadowScore.prediction));
  }
  return record(base(resolved.session, resolved.variant ?? 'baseline', prediction), shadows);
}

export async function predictNamed(
  cache: ServingCache,
  orgId: string,
  req: z.infer<typeof predictRequestSchema>,
  onScored?: OnScored,
  record?: ServedRecorder,
): Promise<Record<string, unknown>> {
  const t0 = process.hrtime.bigint();
  const named = await namedRow(cache, orgId, req);
  const { resolved, imputed } = named;
  const s = resolved.session;
  const r = await score(s, named.row);
  onScored?.(s.info, named.row, r.prediction.score);
  const predictionId = await recordServed(record, orgId, resolved, named.row, r.prediction, {
    vehicleId: req.vehicleId ?? null,
    runId: null,
  });
  return {
    ...(predictionId ? { predictionId } : {}),
    ...describe(s, resolved.alias),
    prediction: r.prediction,
    imputed,
    latencyMs: { model: r.latencyMs, total: Number(process.hrtime.bigint() - t0) / 1e6 },
  };
}

export async function predictVehicle(
  cache: ServingCache,
  redis: Redis,
  orgId: string,
  req: z.infer<typeof vehiclePredictRequestSchema>,
  onScored?: OnScored,
  record?: ServedRecorder,
): Promise<Record<string, unknown>> {
  const t0 = process.hrtime.bigint();
  const resolved = await resolveRowModel(cache, orgId, req.model, {
    alias: req.alias,
    version: req.version,
    vehicleId: req.vehicleId,
  });
  const s = resolved.session;
  // The online store's keys start with the org id: another org's vehicle is simply not there.
  const window = await readOnlineFeatures(redis, orgId, req.runId, req.vehicleId, req.kind);
  if (!window)
    throw new AppError(
      'NOT_FOUND',
      `No live ${req.kind} features for vehicle '${req.vehicleId}' of run '${req.runId}'`,
    );
  const { index, missing } = featureIndex(s.info.featureNames, window.names);
  if (missing.length > 0)
    throw new AppError(
      'BAD_REQUEST',
      `The vehicle's features lack what model '${s.info.modelName}' needs: ${missing.join(', ')}`,
      { extra: { missing } },
    );
  const row = new Float32Array(s.info.featureNames.length);
  fillRow(window.values, index, s.means, row, 0);
  const r = await score(s, row);
  onScored?.(s.info, row, r.prediction.score);
  const predictionId = await recordServed(record, orgId, resolved, row, r.prediction, {
    vehicleId: req.vehicleId,
    runId: req.runId,
    // The window scored: a simulated run's fault events label it (server/outcomes/ground-truth.ts).
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
  });
  return {
    ...(predictionId ? { predictionId } : {}),
    ...describe(s, resolved.alias),
    prediction: r.prediction,
    window: {
      runId: window.runId,
      vehicleId: window.vehicleId,
      kind: window.kind,
      start: window.windowStart,
      end: window.windowEnd,
      emittedAt: window.emittedAt,
      revision: window.revision,
    },
    latencyMs: { model: r.latencyMs, total: Number(process.hrtime.bigint() - t0) / 1e6 },
  };
}
