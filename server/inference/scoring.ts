import { z } from 'zod';
import type { RowOutputs } from './batcher';

/**
 * Pure pieces of serving: where each model feature sits in a source row, filling input rows
 * (a missing reading becomes the training mean, i.e. 0 after the in-graph standardisation, the
 * value the model treats as "nothing unusual"), and what a model's outputs mean as a score and
 * a label. The web app's predict API and the inference worker share them.
 */

/** What inference needs from the ONNX sidecar (workers/trainer/onnx/export.ts); the rest passes through. */
export const servingSidecarSchema = z
  .object({
    kind: z.string(),
    featureNames: z.array(z.string()),
    normalisation: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).loose(),
    input: z
      .object({ name: z.string(), dims: z.array(z.union([z.number(), z.string()])) })
      .loose()
      .optional(),
    outputs: z
      .array(z.object({ name: z.string(), dims: z.array(z.union([z.number(), z.string()])), type: z.string() }).loose())
      .default([]),
    classes: z.array(z.string()).optional(),
    threshold: z.number().optional(),
    windowLength: z.number().int().positive().optional(),
    /** The output that carries the score, when not the kind's own ("score", "probabilities", "prediction"). */
    scoreOutput: z.string().optional(),
    /** Standardisation serving applies before the model (an uploaded model's preprocessing). */
    preprocess: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
  })
  .loose();
export type ServingSidecar = z.infer<typeof servingSidecarSchema>;

/** For each model feature, its index in `sourceNames`; null lists the model features the source lacks. */
export function featureIndex(
  modelFeatures: readonly string[],
  sourceNames: readonly string[],
): { index: Int32Array; missing: string[] } {
  const pos = new Map<string, number>();
  sourceNames.forEach((n, i) => pos.set(n, i));
  const index = new Int32Array(modelFeatures.length);
  const missing: string[] = [];
  modelFeatures.forEach((f, j) => {
    const i = pos.get(f);
    if (i === undefined) missing.push(f);
    index[j] = i ?? -1;
  });
  return { index, missing };
}

/** Writes one row of model inputs at `out[offset…]` from source values (nulls become the mean). */
export function fillRow(
  values: readonly (number | null)[],
  index: Int32Array,
  means: Float32Array,
  out: Float32Array,
  offset: number,
): void {
  for (let j = 0; j < index.length; j++) {
    const v = values[index[j]!];
    out[offset + j] = v === null || v === undefined || !Number.isFinite(v) ? means[j]! : v;
  }
}

export type NamedFeatureResult =
  { ok: true; row: Float32Array; imputed: string[] } | { ok: false; missing: string[]; unknown: string[] };

/**
 * Maps {name: value} onto the model's feature order. Every model feature must be named (null is
 * allowed and means "no reading"); a name the model does not know is an error too, since it is
 * most likely a typo of one that then silently reads as missing.
 */
export function mapNamedFeatures(
  modelFeatures: readonly string[],
  features: Record<string, number | null>,
  means: Float32Array,
): NamedFeatureResult {
  const known = new Set(modelFeatures);
  const unknown = Object.keys(features)
    .filter((k) => !known.has(k))
    .sort();
  const missing = modelFeatures.filter((f) => !Object.prototype.hasOwnProperty.call(features, f));
  if (unknown.length > 0 || missing.length > 0) return { ok: false, missing, unknown };
  const row = new Float32Array(modelFeatures.length);
  const imputed: string[] = [];
  modelFeatures.forEach((f, j) => {
    const v = features[f];
    if (v === null || v === undefined) {
      imputed.push(f);
      row[j] = means[j]!;
    } else row[j] = v;
  });
  return { ok: true, row, imputed };
}

export interface ScoreSpec {
  kind: string;
  /** Decision threshold: the version's, else the sidecar's, else 0.5 for classifiers. */
  threshold: number | null;
  classes: string[] | null;
  /** The output read as the score; null: the kind's own. */
  output: string | null;
}

export function scoreSpec(
  kind: string,
  versionThreshold: number | null,
  sidecar: Pick<ServingSidecar, 'threshold' | 'classes' | 'scoreOutput'> | null,
): ScoreSpec {
  const threshold = versionThreshold ?? sidecar?.threshold ?? (kind === 'mlp-classifier' ? 0.5 : null);
  return { kind, threshold, classes: sidecar?.classes ?? null, output: sidecar?.scoreOutput ?? null };
}

/**
 * Scores of a batch: the reconstruction error (autoencoder), the probability of anything but the
 * first class (classifier: classes[0] is "normal"), or the regression output.
 */
export function scoresOf(spec: ScoreSpec, out: RowOutputs, rows: number): Float64Array {
  const scores = new Float64Array(rows);
  if (spec.kind === 'autoencoder') {
    const d = out[spec.output ?? 'score']?.data;
    if (!d) throw new Error(`autoencoder output "${spec.output ?? 'score'}" missing`);
    for (let i = 0; i < rows; i++) scores[i] = Number(d[i]);
  } else if (spec.kind === 'mlp-classifier') {
    const d = out[spec.output ?? 'probabilities']?.data;
    if (!d) throw new Error(`classifier output "${spec.output ?? 'probabilities'}" missing`);
    const cols = d.length / rows;
    for (let i = 0; i < rows; i++) scores[i] = cols === 1 ? Number(d[i]) : 1 - Number(d[i * cols]);
  } else {
    const d = out[spec.output ?? 'prediction']?.data;
    if (!d) throw new Error(`regressor output "${spec.output ?? 'prediction'}" missing`);
    for (let i = 0; i < rows; i++) scores[i] = Number(d[i]);
  }
  return scores;
}

/** The label of row i: normal/anomaly, a class name, or null for regressors. */
export function labelOf(spec: ScoreSpec, out: RowOutputs, rows: number, i: number, score: number): string | null {
  if (spec.kind === 'autoencoder')
    return spec.threshold === null ? null : score > spec.threshold ? 'anomaly' : 'normal';
  if (spec.kind === 'mlp-classifier') {
    const d = out[spec.output ?? 'probabilities']!.data;
    const cols = d.length / rows;
    const classes = spec.classes ?? Array.from({ length: Math.max(2, cols) }, (_, k) => String(k));
    if (cols === 1) return score > (spec.threshold ?? 0.5) ? classes[1]! : classes[0]!;
    let best = 0;
    for (let k = 1; k < cols; k++) if (Number(d[i * cols + k]) > Number(d[i * cols + best])) best = k;
    return classes[best] ?? String(best);
  }
  return null;
}

/** Does this score cross the decision threshold (alerts count these)? */
export function crosses(spec: ScoreSpec, score: number): boolean {
  return spec.threshold !== null && score > spec.threshold;
}
