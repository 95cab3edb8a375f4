/**
 * Lineage of a model version from what the registry holds: the experiment run it came from (the
 * row), and whatever the trainer wrote beside the weights — extra sidecar fields and ONNX
 * metadata_props beyond the standard ones (dataset id, version, fingerprint, job id…). Pure.
 */
const STANDARD_METADATA = new Set([
  'drivelab.kind',
  'drivelab.feature_names',
  'drivelab.normalisation',
  'drivelab.sidecar',
]);
const STANDARD_SIDECAR = new Set([
  'format',
  'kind',
  'opset',
  'input',
  'outputs',
  'featureNames',
  'normalisation',
  'windowLength',
  'classes',
  'threshold',
  'thresholdPercentile',
  'target',
]);
const MAX_VALUE = 300;

export interface LineageFact {
  key: string;
  value: string;
  source: 'sidecar' | 'onnx';
}

export interface Lineage {
  experimentRunId: string | null;
  /** Facts that name the training data (keys mentioning "dataset", "fingerprint", "split", "group"). */
  dataset: LineageFact[];
  other: LineageFact[];
}

function text(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function flatten(prefix: string, value: unknown, out: [string, unknown][]) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else if (value !== undefined && value !== null) {
    out.push([prefix, value]);
  }
}

const sameKey = (a: string, b: string) => {
  const norm = (k: string) =>
    k
      .replace(/^drivelab\./, '')
      .replace(/[._-]/g, '')
      .toLowerCase();
  return norm(a) === norm(b);
};

const DATASET_KEY = /(dataset|fingerprint|split|group)/i;

export function buildLineage(
  experimentRunId: string | null,
  sidecar: unknown,
  onnxMetadata: Record<string, string>,
): Lineage {
  const facts: LineageFact[] = [];
  if (sidecar && typeof sidecar === 'object' && !Array.isArray(sidecar)) {
    const pairs: [string, unknown][] = [];
    for (const [k, v] of Object.entries(sidecar)) if (!STANDARD_SIDECAR.has(k)) flatten(k, v, pairs);
    for (const [key, value] of pairs) facts.push({ key, value: text(value), source: 'sidecar' });
  }
  for (const [key, value] of Object.entries(onnxMetadata)) {
    if (STANDARD_METADATA.has(key)) continue;
    // The trainer may write one fact to both places (dataset.fingerprint, drivelab.dataset_fingerprint).
    if (facts.some((f) => sameKey(f.key, key) && f.value === text(value))) continue;
    facts.push({ key, value: text(value), source: 'onnx' });
  }
  let runId = experimentRunId;
  if (!runId) {
    const named = facts.find((f) => /experiment.?run.?id|^drivelab\.run_id$/i.test(f.key));
    if (named) runId = named.value;
  }
  return {
    experimentRunId: runId,
    dataset: facts.filter((f) => DATASET_KEY.test(f.key)),
    other: facts.filter((f) => !DATASET_KEY.test(f.key)),
  };
}

/** The metric a model is judged by on its page: F1 for detectors and classifiers, RMSE for regressors. */
export function mainMetric(kind: string, metricNames: Iterable<string>): string | null {
  const names = new Set(metricNames);
  const preferred =
    kind === 'mlp-regressor' || kind === 'cnn-regressor'
      ? ['rmse', 'val_rmse', 'mae', 'val_loss', 'loss']
      : ['f1', 'val_f1', 'roc_auc', 'rocAuc', 'accuracy', 'val_loss', 'loss'];
  for (const p of preferred) if (names.has(p)) return p;
  return [...names].sort()[0] ?? null;
}
