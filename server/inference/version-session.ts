import * as ort from 'onnxruntime-node';
import { MicroBatcher, type BatchStats, type RowOutputs } from './batcher';
import { inferenceMetrics } from './metrics';
import type { GpuAdapterReport } from '../gpu/adapter';
import { batchingFor, type BatchingOptions } from './batch-tuning';
import {
  createSession,
  fallbackReason,
  type ProviderAttempt,
  type ProviderName,
  type SessionFactory,
} from './providers';
import { scoreSpec, servingSidecarSchema, type ScoreSpec, type ServingSidecar } from './scoring';

/** The registry facts of one model version that serving needs. */
export interface VersionInfo {
  id: string;
  orgId: string;
  modelId: string;
  modelName: string;
  version: number;
  kind: string;
  featureNames: string[];
  threshold: number | null;
  /** Input shape after the batch dimension, e.g. [32] or [30, 14]. */
  inputShape: number[];
}

/** Open Inference Protocol tensor metadata. */
export interface TensorMeta {
  name: string;
  datatype: 'FP32' | 'BOOL' | 'INT64' | 'FP64' | 'INT32';
  /** -1 for a dynamic dimension (the batch). */
  shape: number[];
}

export type { BatchingOptions } from './batch-tuning';

const oipType = (t: string): TensorMeta['datatype'] =>
  t === 'bool'
    ? 'BOOL'
    : t === 'int64'
      ? 'INT64'
      : t === 'float64' || t === 'double'
        ? 'FP64'
        : t === 'int32'
          ? 'INT32'
          : 'FP32';
const oipShape = (dims: readonly (number | string)[]): number[] =>
  dims.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));

/** (x − mean) / std per column, on a copy: the batcher's buffer is the caller's. */
function standardise(input: Float32Array, mean: number[], std: number[]): Float32Array {
  const out = new Float32Array(input.length);
  const F = mean.length;
  for (let i = 0; i < input.length; i++) {
    const j = i % F;
    out[i] = (input[i]! - mean[j]!) / (std[j]! || 1);
  }
  return out;
}

/**
 * One ONNX Runtime session for one model version, with its micro-batcher. Aliases and cached
 * explicit versions hold references; when the last is dropped the session is retired: it finishes
 * what is queued or running, then is released, so a hot swap fails no request.
 */
export class VersionSession {
  readonly batcher: MicroBatcher;
  readonly rowSize: number;
  readonly means: Float32Array;
  readonly spec: ScoreSpec;
  readonly inputs: TensorMeta[];
  readonly outputs: TensorMeta[];
  readonly loadedAt = Date.now();
  private refs = 0;
  private retiring: Promise<void> | null = null;
  private readonly labels: { model: string; version: string; provider: string };
  /** Why this session is not on the first configured provider; null when it is. */
  readonly fallbackReason: string | null;
  /** The batching in effect: the configured one, tuned for the provider (batchingFor). */
  readonly batching: BatchingOptions;

  constructor(
    readonly info: VersionInfo,
    readonly sidecar: ServingSidecar | null,
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    readonly attempts: ProviderAttempt[],
    batching: BatchingOptions,
  ) {
    this.rowSize = info.inputShape.reduce((a, b) => a * b, 1);
    this.fallbackReason = fallbackReason(attempts);
    this.batching = batching;
    const inputName = session.inputNames[0] ?? 'features';
    this.labels = { model: info.modelName, version: String(info.version), provider };
    const F = info.featureNames.length;
    this.means = Float32Array.from(
      sidecar?.normalisation.mean.length === F ? sidecar.normalisation.mean : new Array<number>(F).fill(0),
    );
    this.spec = scoreSpec(info.kind, info.threshold, sidecar);
    this.inputs = [{ name: inputName, datatype: 'FP32', shape: [-1, ...info.inputShape] }];
    this.outputs = sidecar?.outputs.length
      ? sidecar.outputs.map((o) => ({ name: o.name, datatype: oipType(o.type), shape: oipShape(o.dims) }))
      : session.outputNames.map((name) => ({ name, datatype: 'FP32' as const, shape: [-1] }));
    const m = inferenceMetrics;
    const pre =
      sidecar?.preprocess?.mean.length === F && sidecar.preprocess.std.length === F ? sidecar.preprocess : null;
    this.batcher = new MicroBatcher({
      ...batching,
      rowSize: this.rowSize,
      run: async (input, rows) => {
        if (pre) input = standardise(input, pre.mean, pre.std);
        const res = await session.run({ [inputName]: new ort.Tensor('float32', input, [rows, ...info.inputShape]) });
        // onnxruntime types outputs as OnnxValue (tensors, maps, sequences); these models return
        // float32 tensors only, which is the shape the batcher splits into rows.
        return res as unknown as Record<string, { data: never; dims: readonly number[] }>;
      },
      onBatch: (s: BatchStats) => {
        m.batchRows.observe(this.labels, s.rows);
        for (const q of s.queueUs) m.queueSeconds.observe(this.labels, q / 1e6);
        if (!s.ok) m.errors.inc(this.labels, s.rows);
        this.onBatch?.(s);
      },
    });
  }

  /** Extra observer of batches (the worker's per-version stats for the monitoring page). */
  onBatch?: (s: BatchStats) => void;

  get metricLabels() {
    return this.labels;
  }

  /** Runs `rows` rows (row-major, rowSize values each) through the micro-batcher. */
  infer(data: Float32Array, rows: number): Promise<RowOutputs> {
    if (this.retiring) return Promise.reject(new Error(`version ${this.info.id} was retired`));
    return this.batcher.submit(data, rows);
  }

  get retired(): boolean {
    return this.retiring !== null;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /** Drops one reference; the last one retires the session (returned promise: released). */
  release(): Promise<void> {
    this.refs = Math.max(0, this.refs - 1);
    return this.refs === 0 ? this.retire() : Promise.resolve();
  }

  retire(): Promise<void> {
    this.retiring ??= this.batcher.drain().then(() => this.session.release());
    return this.retiring;
  }
}

export interface LoadVersionOptions {
  providers: readonly ProviderName[];
  /** CPU batching; GPU providers get larger batches (batchingFor). */
  batching: BatchingOptions;
  /** Largest batch on a GPU provider (INFERENCE_GPU_MAX_BATCH). */
  gpuMaxBatch?: number;
  /** The adapter found at start (server/gpu/adapter), so WebGPU is skipped with its reason. */
  adapter?: GpuAdapterReport | null;
  intraOpThreads?: number;
  factory?: SessionFactory;
}

/** Creates the session of a version from its ONNX bytes and (optional) sidecar JSON. */
export async function openVersion(
  info: VersionInfo,
  onnx: Uint8Array,
  sidecarJson: unknown,
  o: LoadVersionOptions,
): Promise<VersionSession> {
  const parsed = sidecarJson === null || sidecarJson === undefined ? null : servingSidecarSchema.safeParse(sidecarJson);
  const sidecar = parsed?.success ? parsed.data : null;
  const { session, provider, attempts } = await createSession(
    onnx,
    { providers: o.providers, intraOpThreads: o.intraOpThreads, adapter: o.adapter },
    o.factory,
  );
  return new VersionSession(
    info,
    sidecar,
    session,
    provider,
    attempts,
    batchingFor(provider, o.batching, o.gpuMaxBatch),
  );
}
