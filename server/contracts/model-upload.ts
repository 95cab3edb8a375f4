import { z } from 'zod';
import type { ModelKindName } from './models';

/** The body of POST /api/v1/models/upload (bring your own ONNX model; server/inference/upload.ts). */
export const UPLOAD_MODEL_MAX_BYTES = 64 * 1024 * 1024;
/** Reference rows kept for drift and explanations. */
export const UPLOAD_REFERENCE_MAX_ROWS = 5000;

/** What the model's score means: its kind in the registry (how serving reads and labels it). */
export const UPLOAD_TASKS = {
  regression: 'mlp-regressor',
  classification: 'mlp-classifier',
  anomaly: 'autoencoder',
} as const satisfies Record<string, ModelKindName>;

const featureName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'letters, digits, "_", ".", ":" and "-", not starting with a digit');
const finite = z.number();

export const uploadModelOptionsSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'name is required')
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-"'),
    task: z.enum(Object.keys(UPLOAD_TASKS) as [keyof typeof UPLOAD_TASKS, ...(keyof typeof UPLOAD_TASKS)[]]),
    featureNames: z
      .array(featureName)
      .min(1, 'name at least one feature')
      .max(1024)
      .refine((xs) => new Set(xs).size === xs.length, 'feature names must be unique'),
    /** Class names in the order of the probability columns (classification). */
    labels: z.array(z.string().trim().min(1).max(100)).min(2).max(1000).optional(),
    threshold: finite.optional(),
    /** The output that carries the score; default: the graph's first output. */
    output: z.string().min(1).max(200).optional(),
    /** Standardisation applied before the model, when the exported graph does not contain it. */
    preprocessing: z
      .object({
        standardize: z.object({ mean: z.array(finite).max(1024), std: z.array(finite.positive()).max(1024) }),
      })
      .strict()
      .optional(),
    /** Training rows (the features' order): the drift reference and explanation background. */
    reference: z.array(z.array(finite.nullable()).max(1024)).max(UPLOAD_REFERENCE_MAX_ROWS).optional(),
    description: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const F = o.featureNames.length;
    const std = o.preprocessing?.standardize;
    if (std && (std.mean.length !== F || std.std.length !== F))
      ctx.addIssue({
        code: 'custom',
        path: ['preprocessing', 'standardize'],
        message: `mean and std need ${F} values, one per feature`,
      });
    const bad = o.reference?.findIndex((r) => r.length !== F) ?? -1;
    if (bad >= 0)
      ctx.addIssue({ code: 'custom', path: ['reference', bad], message: `each reference row needs ${F} values` });
    if (o.labels && o.task !== 'classification')
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'labels are for classification models' });
  });
export type UploadModelOptions = z.infer<typeof uploadModelOptionsSchema>;
