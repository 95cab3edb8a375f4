import { z } from 'zod';

/**
 * dl.alerts (key: modelId): a drift check found the served data of a model version drifting.
 * It shares the topic with the per-vehicle alerts (predictions.ts), told apart by `kind`; the
 * same object, wrapped with its event name, is the body of the org's webhook.
 */
export const driftAlertMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('drift'),
  id: z.string().min(1),
  orgId: z.string().min(1),
  modelId: z.string().min(1),
  modelName: z.string().min(1),
  modelVersionId: z.string().min(1),
  modelVersion: z.number().int().positive(),
  reportId: z.string().min(1),
  windowStart: z.number().int().nonnegative(),
  windowEnd: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  driftedShare: z.number().min(0).max(1),
  datasetDrift: z.boolean(),
  /** Drifting features, most distant first (at most 50). */
  driftedFeatures: z.array(z.string()).max(50),
  predictionDrift: z.boolean(),
  policy: z.string(),
  retrainJobId: z.string().nullable(),
  at: z.number().int().nonnegative(),
});
export type DriftAlertMessage = z.infer<typeof driftAlertMessageSchema>;

/** The body POSTed to an org webhook. */
export const webhookEventSchema = z.object({
  event: z.literal('drift.detected'),
  deliveredAt: z.number().int(),
  data: driftAlertMessageSchema,
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** The body of a test delivery, sent from the portal to check the URL and the receiver's signature check. */
export const webhookTestEventSchema = z.object({
  event: z.literal('webhook.test'),
  deliveredAt: z.number().int(),
  data: z.object({ orgId: z.string(), message: z.string() }),
});
export type WebhookTestEvent = z.infer<typeof webhookTestEventSchema>;
