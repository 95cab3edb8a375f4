import { z } from 'zod';
import { vehicleWindowFields } from './features';

/** dl.predictions (key: runId:vehicleId): one scored feature window. */
export const predictionMessageSchema = z.object({
  ...vehicleWindowFields,
  modelId: z.string().min(1),
  modelName: z.string().min(1),
  modelVersionId: z.string().min(1),
  modelVersion: z.number().int().positive(),
  alias: z.string().min(1),
  /** Anomaly score (reconstruction error), class probability or regression output. */
  score: z.number(),
  /** Predicted label when the model has one (normal/fault, a fault type); null for regressors. */
  label: z.string().nullable(),
  threshold: z.number().nullable(),
  /** Time from the window's emission to the score, ms. */
  latencyMs: z.number().nonnegative(),
  at: z.number().int().nonnegative(),
});
export type PredictionMessage = z.infer<typeof predictionMessageSchema>;

/** dl.alerts (key: runId): K of the last N windows of a vehicle crossed the threshold. */
export const alertMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  vehicleId: z.string().min(1),
  modelId: z.string().min(1),
  modelName: z.string().min(1),
  modelVersionId: z.string().min(1),
  alias: z.string().min(1),
  windowStart: z.number(),
  windowEnd: z.number(),
  score: z.number(),
  threshold: z.number(),
  k: z.number().int().positive(),
  n: z.number().int().positive(),
  at: z.number().int().nonnegative(),
});
export type AlertMessage = z.infer<typeof alertMessageSchema>;
