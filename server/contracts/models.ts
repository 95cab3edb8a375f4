import { z } from 'zod';

/** A metric gate for alias moves (checked in server/models/gate.ts). */
const metricName = z
  .string()
  .trim()
  .min(1, 'Name the metric')
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'metric names are letters, digits, "_", "." and "-"');

export const metricGateSchema = z.union([
  z
    .object({
      metric: metricName,
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .strict()
    .refine((g) => g.min !== undefined || g.max !== undefined, 'A threshold gate needs "min" or "max"')
    .refine((g) => g.min === undefined || g.max === undefined || g.min <= g.max, '"min" must not exceed "max"'),
  z
    .object({
      metric: metricName,
      // "Better than the version the alias points at now".
      better: z.literal(true),
      // Which way is better; guessed from the metric name when absent (see metricDirection).
      direction: z.enum(['higher', 'lower']).optional(),
    })
    .strict(),
]);
export type MetricGate = z.infer<typeof metricGateSchema>;

/** Model kinds the trainer produces and inference serves (workers/trainer/models). */
export const modelKinds = ['autoencoder', 'mlp-classifier', 'mlp-regressor', 'cnn-regressor'] as const;
export const modelKindSchema = z.enum(modelKinds);
export type ModelKindName = z.infer<typeof modelKindSchema>;

/** Alias names: `production`, `staging` or any lower-case name. */
export const aliasNameSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "-" and "_", starting with a letter');

/**
 * dl.models (key: modelId): a deployment changed. The message says which alias moved and
 * where; consumers (inference) reload that alias from Postgres rather than trust the payload,
 * so a replayed or reordered message can never install a stale target.
 */
export const modelDeploymentChangedSchema = z.object({
  v: z.literal(1),
  orgId: z.string().min(1),
  modelId: z.string().min(1),
  modelName: z.string().min(1),
  alias: aliasNameSchema,
  action: z.enum(['promote', 'rollback', 'canary', 'delete']),
  versionId: z.string().min(1).nullable(),
  canaryVersionId: z.string().min(1).nullable(),
  canaryWeight: z.number().min(0).max(1),
  at: z.number().int().nonnegative(),
});
export type ModelDeploymentChanged = z.infer<typeof modelDeploymentChangedSchema>;

/**
 * POST /api/v1/models/{model}/aliases/{alias}: points the alias at a version (by number or id),
 * optionally only when it passes a metric gate; the same move the registry page makes.
 */
export const aliasPromoteRequestSchema = z
  .strictObject({
    version: z.number().int().positive().optional(),
    versionId: z.string().min(1).max(64).optional(),
    gate: metricGateSchema.nullish(),
  })
  .refine((b) => (b.version === undefined) !== (b.versionId === undefined), {
    error: 'Name the version to promote: "version" (its number) or "versionId", one of them',
    path: ['version'],
  });
