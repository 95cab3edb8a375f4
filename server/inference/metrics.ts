import { Counter, Histogram } from 'prom-client';
import { metrics } from '../observability/metrics';

/**
 * Per-version serving metrics (labels: model, version, provider). Kept on globalThis like the
 * registry, so the web process's route bundles register them once.
 */
const g = globalThis as typeof globalThis & { drivelabInferenceMetrics?: ReturnType<typeof create> };
const labelNames = ['model', 'version', 'provider'] as const;

function create() {
  const registers = [metrics.registry];
  return {
    requestSeconds: new Histogram({
      name: 'drivelab_inference_request_seconds',
      help: 'Inference request latency (submit to result), by model version',
      labelNames: [...labelNames, 'source'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    queueSeconds: new Histogram({
      name: 'drivelab_inference_queue_seconds',
      help: 'Time a request waited in the micro-batcher before its batch ran',
      labelNames,
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    }),
    batchRows: new Histogram({
      name: 'drivelab_inference_batch_rows',
      help: 'Rows per ONNX Runtime run',
      labelNames,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
      registers,
    }),
    predictions: new Counter({
      name: 'drivelab_inference_predictions_total',
      help: 'Rows scored',
      labelNames: [...labelNames, 'source'] as const,
      registers,
    }),
    errors: new Counter({
      name: 'drivelab_inference_errors_total',
      help: 'Failed inference runs (rows)',
      labelNames,
      registers,
    }),
  };
}

export const inferenceMetrics = (g.drivelabInferenceMetrics ??= create());
