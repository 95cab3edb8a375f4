/** Metric values as people read them: ratios to 3 decimals, errors and losses to 4 significant digits. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(1);
  if (Math.abs(v) >= 1) return v.toFixed(3);
  return Number(v.toPrecision(3)).toString();
}

export const KIND_LABELS: Record<string, string> = {
  autoencoder: 'Autoencoder anomaly detector',
  'mlp-classifier': 'MLP classifier',
  'mlp-regressor': 'MLP regressor',
  'cnn-regressor': '1D-CNN sequence regressor',
};
