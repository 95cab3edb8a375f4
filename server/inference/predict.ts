import type { Redis } from 'ioredis';
import { z } from 'zod';
import { windowKindSchema } from '../contracts/features';
import { singleLine } from '../contracts/strings';
import { AppError } from '../errors';
import { aliasNameSchema } from '../contracts/models';
import { readOnlineFeatures } from '../store/online-features';
import { featureIndex, fillRow, labelOf, mapNamedFeatures, scoresOf } from './scoring';
import { ModelNotFoundError, type ResolvedModel, type ServingCache } from './serving';
import type { VersionSession } from './version-session';

/** REST bodies of the fleet predict API (app/api/v1/models/predict). */
const target = {
  model: singleLine(200).pipe(z.string().min(1)),
  alias: aliasNameSchema.optional(),
  version: z.number().int().positive().optional(),
};

export const predictRequestSchema = z.object({
  ...target,
  // Beyond float32 a value would be Infinity inside the model and the score NaN: refused here.
  features: z.record(
    singleLine(200),
    z
      .number()
      .finite()
      .refine((v) => Math.abs(v) <= FLOAT32_MAX, 'is outside the float32 range (±3.4e38) the model computes in')
      .nullable(),
  ),
  /** Routes a canary deployment as the streaming path would route this vehicle. */
  vehicleId: singleLine(200).pipe(z.string().min(1)).optional(),
});

export const vehiclePredictRequestSchema = z.object({
  ...target,
  runId: singleLine(200).pipe(z.string().min(1)),
  vehicleId: singleLine(200).pipe(z.string().min(1)),
  kind: windowKindSchema.default('tumbling'),
});

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

function assertRowModel(s: VersionSession): void {
  if (s.info.inputShape.length === 1) return;
  throw new AppError(
    'BAD_REQUEST',
    `Model '${s.info.modelName}' takes a sequence of ${s.info.inputShape[0]} windows per prediction; use the Open Inference Protocol endpoint of the inference worker`,
  );
}

async function score(s: VersionSession, row: Float32Array) {
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

function describe(s: VersionSession, alias: string | null) {
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

export async function predictNamed(
  cache: ServingCache,
  orgId: string,
  req: z.infer<typeof predictRequestSchema>,
): Promise<Record<string, unknown>> {
  const t0 = process.hrtime.bigint();
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
  const r = await score(s, mapped.row);
  return {
    ...describe(s, resolved.alias),
    prediction: r.prediction,
    imputed: mapped.imputed,
    latencyMs: { model: r.latencyMs, total: Number(process.hrtime.bigint() - t0) / 1e6 },
  };
}

export async function predictVehicle(
  cache: ServingCache,
  redis: Redis,
  orgId: string,
  req: z.infer<typeof vehiclePredictRequestSchema>,
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
  return {
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
