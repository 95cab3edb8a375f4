import { z } from 'zod';
import type { PredictRequest } from '../contracts/predict';
import { artifactKey, getObject } from '../models/registry';
import { objectStore, type ObjectStore } from '../store/object-store';
import { describe, namedRow, score } from '../inference/predict';
import { scoresOf } from '../inference/scoring';
import type { ServingCache } from '../inference/serving';
import type { VersionSession } from '../inference/version-session';
import { kernelShap, shapPlan, type ShapPlan } from './kernel-shap';

/**
 * Explanations in serving: KernelSHAP over the version's background sample (stored at
 * registration, see registerModelVersion), one batched ONNX Runtime call per explanation
 * through the version's micro-batcher. Plans and backgrounds are cached per feature count and
 * per version; both are small.
 */

/** Background rows per explanation: the cost is coalitions × rows model evaluations. */
export const EXPLAIN_BACKGROUND_ROWS = 8;
/** Coalitions beyond the 2M single-feature ones; every coalition is enumerated when 2^M − 2 fits. */
export const EXPLAIN_EXTRA_COALITIONS = 96;

const backgroundFileSchema = z.object({
  featureNames: z.array(z.string()),
  rows: z.array(z.array(z.number().nullable())).min(1),
});

const plans = new Map<number, ShapPlan>();
export function planFor(features: number): ShapPlan {
  let p = plans.get(features);
  if (!p) {
    p = shapPlan(features, 2 * features + EXPLAIN_EXTRA_COALITIONS);
    plans.set(features, p);
  }
  return p;
}

interface Background {
  rows: Float32Array;
  count: number;
  source: 'training-sample' | 'training-means';
  base: number;
}
const backgrounds = new Map<string, Promise<Background>>();
const MAX_CACHED = 64;

/** Evenly spaced rows of the stored sample (deterministic), missing values as the training mean. */
function pickRows(file: z.infer<typeof backgroundFileSchema>, s: VersionSession): Float32Array | null {
  const names = s.info.featureNames;
  const index = names.map((n) => file.featureNames.indexOf(n));
  if (index.some((i) => i < 0)) return null;
  const n = Math.min(EXPLAIN_BACKGROUND_ROWS, file.rows.length);
  const out = new Float32Array(n * names.length);
  for (let r = 0; r < n; r++) {
    const row = file.rows[Math.floor((r * file.rows.length) / n)]!;
    index.forEach((src, j) => (out[r * names.length + j] = row[src] ?? s.means[j]!));
  }
  return out;
}

async function modelScores(s: VersionSession, rows: Float32Array, n: number): Promise<Float64Array> {
  return scoresOf(s.spec, await s.infer(rows, n), n);
}

export function versionBackground(s: VersionSession, store: ObjectStore = objectStore()): Promise<Background> {
  const have = backgrounds.get(s.info.id);
  if (have) return have;
  const p = (async (): Promise<Background> => {
    const bytes = await getObject(store, artifactKey(s.info.orgId, s.info.modelId, s.info.version, 'background.json'));
    let rows: Float32Array | null = null;
    if (bytes) {
      const parsed = backgroundFileSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
      if (parsed.success) rows = pickRows(parsed.data, s);
    }
    const source = rows ? 'training-sample' : 'training-means';
    rows ??= Float32Array.from(s.means);
    const count = rows.length / s.info.featureNames.length;
    const scores = await modelScores(s, rows, count);
    return { rows, count, source, base: scores.reduce((a, b) => a + b, 0) / count };
  })();
  p.catch(() => backgrounds.delete(s.info.id));
  backgrounds.set(s.info.id, p);
  if (backgrounds.size > MAX_CACHED) backgrounds.delete(backgrounds.keys().next().value!);
  return p;
}

/** Explains one row of a version: attributions in the model's feature order. */
export async function explainRow(s: VersionSession, row: Float32Array, store?: ObjectStore) {
  const bg = await versionBackground(s, store);
  const plan = planFor(s.info.featureNames.length);
  const e = await kernelShap((rows, n) => modelScores(s, rows, n), plan, row, bg.rows, bg.base);
  return { ...e, background: { rows: bg.count, source: bg.source } };
}

/** The explain API: the predict body in, the prediction and its attributions out, largest first. */
export async function explainNamed(
  cache: ServingCache,
  orgId: string,
  req: PredictRequest,
): Promise<Record<string, unknown>> {
  const t0 = process.hrtime.bigint();
  const named = await namedRow(cache, orgId, req);
  const s = named.resolved.session;
  const [prediction, e] = await Promise.all([score(s, named.row), explainRow(s, named.row)]);
  const contributions = s.info.featureNames
    .map((feature, j) => ({ feature, value: named.row[j]!, contribution: e.values[j]! }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return {
    ...describe(s, named.resolved.alias),
    prediction: prediction.prediction,
    imputed: named.imputed,
    explanation: {
      method: 'kernel-shap',
      /** The mean score over the background; base + Σ contributions = score. */
      base: e.base,
      score: e.output,
      exact: e.exact,
      coalitions: e.coalitions,
      background: e.background,
      contributions,
    },
    latencyMs: { total: Number(process.hrtime.bigint() - t0) / 1e6 },
  };
}
