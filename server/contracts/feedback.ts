import { z } from 'zod';
import { singleLine } from './strings';

/**
 * POST /api/v1/feedback: the observed outcome of one served prediction, named by the
 * `predictionId` the predict API returned, or by (model, vehicleId, time): the latest prediction
 * of that model for that vehicle at or before `time` (within FEEDBACK_MATCH_WINDOW_MS).
 * `observed`: the target value for regressors; true/false (or 1/0) for anomaly and fault models;
 * the class (its name or index) for classifiers.
 */
export const FEEDBACK_MATCH_WINDOW_MS = 60 * 60 * 1000;

const id = singleLine(200).pipe(z.string().min(1));

export const feedbackRequestSchema = z
  .object({
    predictionId: id.optional(),
    model: id.optional(),
    vehicleId: id.optional(),
    /** ISO 8601 date-time or epoch milliseconds. */
    time: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
    observed: z.union([z.number(), z.boolean(), singleLine(200).pipe(z.string().min(1))]),
  })
  .strict()
  .superRefine((b, ctx) => {
    const byKey = b.model !== undefined || b.vehicleId !== undefined || b.time !== undefined;
    if (b.predictionId !== undefined && byKey)
      ctx.addIssue({ code: 'custom', message: 'Give either predictionId or (model, vehicleId, time), not both' });
    else if (b.predictionId === undefined)
      for (const k of ['model', 'vehicleId', 'time'] as const)
        if (b[k] === undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `Without predictionId, ${k} is required` });
  });
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;
