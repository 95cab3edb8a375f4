/**
 * GPU benchmark: `npm run bench -- gpu` prints one JSON object comparing the CPU with every GPU
 * path this machine has, in one run:
 * - onnx: ONNX Runtime rows/s at batch 1, 64, 1024 and 8192, and latency p50/p99 at batch 1, per
 *   execution provider (cpu on every core, then each configured GPU provider that loads), for the
 *   platform's anomaly autoencoder (the MLP over the 32 features of FEATURE_SET v1) and its RUL
 *   1D-CNN (RUL_CNN_DEFAULTS over C-MAPSS-shaped windows, 30 cycles x 22 features);
 * - tfjs: training epochs/s of the same two models on the WASM and the WebGPU backend, through the
 *   trainer's own loop (fitWithEarlyStopping) and batch sizes.
 * The models are built, trained for one epoch on synthetic data and exported to ONNX by the
 * trainer's code, so the graphs are the ones serving runs. Needs no database or Kafka.
 *
 * Where no GPU is found it says so and exits 0: missing hardware is not a failure.
 * BENCH_GPU_CPU_ONLY=1 then measures the CPU side anyway (to try the bench on a CPU machine).
 * BENCH_SECONDS (1) per throughput point, BENCH_LATENCY_RUNS (2000), BENCH_TRAIN_EPOCHS (3),
 * INFERENCE_PROVIDERS (cuda,webgpu,cpu), GPU_BACKEND (Dawn backend, vulkan on Linux).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { CMAPSS_PRESET } from '~/server/contracts/training';
import { FEATURE_SET } from '~/server/contracts/features';
import { describeAdapter, detectGpu } from '~/server/gpu/adapter';
import {
  createSession,
  isGpuProvider,
  parseProviders,
  probeProviders,
  type ProviderName,
} from '~/server/inference/providers';
import { tryWasm, tryWebGpu, type BackendAttempt } from '~/workers/trainer/backend';
import type { Matrix, Windows } from '~/workers/trainer/datasets/types';
import { buildAutoencoder, trainAutoencoder } from '~/workers/trainer/models/autoencoder';
import { buildCnnRegressor, trainCnnRegressor } from '~/workers/trainer/models/cnn-regressor';
import { exportOnnx } from '~/workers/trainer/onnx/export';
import { RUL_CNN_DEFAULTS } from '~/workers/trainer/presets';
import { seededRandom } from '~/server/random';
import { DEFAULT_FIT, fitWithEarlyStopping } from '~/workers/trainer/training';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 2000);
const TRAIN_EPOCHS = Number(process.env.BENCH_TRAIN_EPOCHS ?? 3);
const CPU_ONLY = process.env.BENCH_GPU_CPU_ONLY === '1';
const BATCHES = [1, 64, 1024, 8192] as const;
const progress = (msg: string) => console.error(`[bench gpu] ${msg}`);

// ── Models, built the way the trainer builds them ────────────────────────────────────────────
const AE_FEATURES = [...FEATURE_SET.names];
// C-MAPSS preset: 21 sensors plus the cycle feature (RUL_CNN_DEFAULTS.dataset.includeCycle).
const CNN_FEATURES = [...CMAPSS_PRESET.featureColumns, 'cycle'];
const CNN_STEPS = RUL_CNN_DEFAULTS.windowLength;

function gaussian(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand() + 1e-12));
    const t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}
const matrix = (rows: number, seed: number): Matrix => ({
  values: gaussian(rows * AE_FEATURES.length, seed),
  rows,
  cols: AE_FEATURES.length,
});
const windows = (count: number, seed: number): Windows => ({
  values: gaussian(count * CNN_STEPS * CNN_FEATURES.length, seed),
  count,
  steps: CNN_STEPS,
  features: CNN_FEATURES.length,
});
const targets = (w: Windows) =>
  Float32Array.from({ length: w.count }, (_, i) => 125 * Math.abs(Math.tanh(w.values[i * CNN_STEPS * w.features]!)));

interface BenchModel {
  name: 'anomaly-autoencoder' | 'rul-cnn';
  bytes: Uint8Array;
  /** Dims after the batch dim. */
  rowShape: number[];
}

async function exportModels(): Promise<BenchModel[]> {
  const ae = await trainAutoencoder({
    train: matrix(2048, 1),
    validation: matrix(512, 2),
    featureNames: AE_FEATURES,
    fit: { epochs: 1 },
  });
  const aeOnnx = exportOnnx(ae);
  ae.model.dispose();
  const train = windows(512, 3);
  const validation = windows(128, 4);
  const cnn = await trainCnnRegressor({
    train,
    trainTargets: targets(train),
    validation,
    validationTargets: targets(validation),
    featureNames: CNN_FEATURES,
    targetName: 'rul',
    fit: { epochs: 1 },
  });
  const cnnOnnx = exportOnnx(cnn);
  cnn.model.dispose();
  return [
    { name: 'anomaly-autoencoder', bytes: aeOnnx.bytes, rowShape: [AE_FEATURES.length] },
    { name: 'rul-cnn', bytes: cnnOnnx.bytes, rowShape: [CNN_STEPS, CNN_FEATURES.length] },
  ];
}

// ── ONNX Runtime ─────────────────────────────────────────────────────────────────────────────
async function onnxNumbers(model: BenchModel, provider: ProviderName) {
  // CPU gets every core (0): the fair comparison with a whole GPU. Serving's default is 1 thread.
  const { session } = await createSession(model.bytes, { providers: [provider], intraOpThreads: 0 });
  const rowSize = model.rowShape.reduce((a, b) => a * b, 1);
  const pool = gaussian(8192 * rowSize, 7);
  const input = (size: number) =>
    new ort.Tensor('float32', pool.subarray(0, size * rowSize), [size, ...model.rowShape]);
  try {
    const rowsPerSecond: Record<string, number> = {};
    for (const size of BATCHES) {
      const x = input(size);
      for (let i = 0; i < 3; i++) await session.run({ features: x });
      let rows = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < SECONDS * 1000) {
        await session.run({ features: x });
        rows += size;
      }
      rowsPerSecond[`batch${size}`] = Math.round(rows / ((performance.now() - t0) / 1000));
    }
    // The same 1024 rows through this provider and through the CPU: a fast GPU number only counts
    // if the scores agree.
    const check = input(1024);
    const got = Object.values(await session.run({ features: check }))[0]!.data as Float32Array;
    let maxAbsDiffVsCpu: number | null = null;
    if (provider !== 'cpu') {
      const cpu = await createSession(model.bytes, { providers: ['cpu'] });
      const want = Object.values(await cpu.session.run({ features: check }))[0]!.data as Float32Array;
      await cpu.session.release();
      maxAbsDiffVsCpu = 0;
      for (let i = 0; i < want.length; i++) maxAbsDiffVsCpu = Math.max(maxAbsDiffVsCpu, Math.abs(got[i]! - want[i]!));
    }
    const one = input(1);
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const t = process.hrtime.bigint();
      await session.run({ features: one });
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    lat.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!);
    return {
      rowsPerSecond,
      latencyBatch1Us: { p50: pct(0.5), p99: pct(0.99), runs: lat.length },
      ...(maxAbsDiffVsCpu === null ? {} : { maxAbsDiffVsCpu: Number(maxAbsDiffVsCpu.toPrecision(3)) }),
    };
  } finally {
    await session.release();
  }
}

// ── TensorFlow.js training ───────────────────────────────────────────────────────────────────
async function trainingNumbers(backend: 'wasm' | 'webgpu') {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} is not initialised`);
  const out: Record<string, unknown> = {};
  // Dataset sizes keep one epoch around a second on a CPU; epochs/s scales inversely with them.
  const cases = [
    {
      name: 'anomaly-autoencoder',
      rows: 16384,
      batchSize: DEFAULT_FIT.batchSize,
      make: () => {
        const m = matrix(16384, 11);
        const x = tf.tensor2d(m.values, [m.rows, m.cols]);
        return { model: buildAutoencoder(AE_FEATURES.length), x, y: x };
      },
    },
    {
      name: 'rul-cnn',
      rows: 4096,
      batchSize: RUL_CNN_DEFAULTS.fit.batchSize,
      make: () => {
        const w = windows(4096, 12);
        const x = tf.tensor3d(w.values, [w.count, w.steps, w.features]);
        const y = tf.tensor2d(targets(w), [w.count, 1]).div(125);
        return { model: buildCnnRegressor(CNN_STEPS, CNN_FEATURES.length), x, y };
      },
    },
  ];
  // The trainer's whole path for both kinds (fit, threshold or evaluation reads, ONNX export) on
  // this backend, so a backend that trains fast but breaks what follows shows up here.
  try {
    const ae = await trainAutoencoder({
      train: matrix(1024, 21),
      validation: matrix(256, 22),
      featureNames: AE_FEATURES,
      fit: { epochs: 2 },
    });
    exportOnnx(ae);
    ae.model.dispose();
    const w = windows(256, 23);
    const cnn = await trainCnnRegressor({
      train: w,
      trainTargets: targets(w),
      validation: w,
      validationTargets: targets(w),
      featureNames: CNN_FEATURES,
      targetName: 'rul',
      fit: { epochs: 2 },
    });
    exportOnnx(cnn);
    cnn.model.dispose();
    out.trainerPath = 'ok: autoencoder and 1D-CNN trained, thresholded and exported to ONNX';
  } catch (err) {
    out.trainerPath = `failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  for (const c of cases) {
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} is not initialised`);
    const { model, x, y } = c.make();
    try {
      const fit = { batchSize: c.batchSize, patience: 1000, shuffleSeed: 1 };
      await fitWithEarlyStopping(model, x, y, null, { ...fit, epochs: 1 }); // warm-up: kernels, shaders
      const s = await fitWithEarlyStopping(model, x, y, null, { ...fit, epochs: TRAIN_EPOCHS });
      const seconds = s.trainMs / 1000;
      out[c.name] = {
        epochsPerSecond: Number((s.epochsRun / seconds).toFixed(3)),
        rowsPerSecond: Math.round((s.epochsRun * c.rows) / seconds),
        epochs: s.epochsRun,
        rowsPerEpoch: c.rows,
        batchSize: c.batchSize,
      };
    } catch (err) {
      out[c.name] = { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  }
  return out;
}

// ── Run ──────────────────────────────────────────────────────────────────────────────────────
const providers = parseProviders(process.env.INFERENCE_PROVIDERS);
const gpuProviders = providers.filter(isGpuProvider);
const { report: adapter } = await detectGpu();
progress(`adapter: ${describeAdapter(adapter)}`);

const wasmAttempts: BackendAttempt[] = [];
if (!(await tryWasm(wasmAttempts))) throw new Error(`WASM backend: ${wasmAttempts.at(-1)?.reason}`);
progress('exporting the models');
const models = await exportModels();
const probe = await probeProviders(models[1]!.bytes, gpuProviders);
for (const p of probe) progress(`${p.provider}: ${p.ok ? 'loads' : `not available (${p.reason})`}`);
const onnxGpus = probe.filter((p) => p.ok).map((p) => p.provider);
const gpuFound = adapter.available || onnxGpus.length > 0;
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  onnxruntime: ort.env.versions.common,
  tfjs: tf.version.tfjs,
};

if (!gpuFound && !CPU_ONLY) {
  console.log(
    JSON.stringify(
      {
        bench: 'gpu',
        gpu: 'none',
        message: 'no GPU found: nothing to compare (set BENCH_GPU_CPU_ONLY=1 to measure the CPU side alone)',
        adapter,
        providers: probe,
        machine,
      },
      null,
      2,
    ),
  );
  process.exit(0);
}

const onnx: Record<string, Record<string, unknown>> = {};
for (const m of models) {
  onnx[m.name] = {};
  for (const p of ['cpu', ...onnxGpus] as ProviderName[]) {
    progress(`onnx ${m.name} on ${p}`);
    try {
      onnx[m.name]![p] = await onnxNumbers(m, p);
    } catch (err) {
      onnx[m.name]![p] = { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    }
  }
  for (const p of probe.filter((x) => !x.ok)) onnx[m.name]![p.provider] = { available: false, reason: p.reason };
}

const training: Record<string, unknown> = {};
progress('tfjs training on wasm');
training.wasm = await trainingNumbers('wasm');
if (adapter.available) {
  const attempts: BackendAttempt[] = [];
  if (await tryWebGpu(attempts)) {
    progress('tfjs training on webgpu');
    training.webgpu = await trainingNumbers('webgpu');
  } else training.webgpu = { available: false, reason: attempts.at(-1)?.reason };
} else training.webgpu = { available: false, reason: adapter.reason };

const speedup = (model: string, gpu: string, batch: string) => {
  const g = (onnx[model]?.[gpu] as { rowsPerSecond?: Record<string, number> } | undefined)?.rowsPerSecond?.[batch];
  const c = (onnx[model]?.cpu as { rowsPerSecond?: Record<string, number> } | undefined)?.rowsPerSecond?.[batch];
  return g && c ? Number((g / c).toFixed(2)) : null;
};
const targetSpeedups = Object.fromEntries(onnxGpus.map((p) => [p, speedup('rul-cnn', p, 'batch8192')]));

console.log(
  JSON.stringify(
    {
      bench: 'gpu',
      gpu: gpuFound ? 'available' : 'none (BENCH_GPU_CPU_ONLY=1: CPU numbers only)',
      adapter,
      providers: probe,
      onnx,
      training,
      target: {
        rule: 'rul-cnn at batch 8192: GPU rows/s >= 5x CPU rows/s',
        speedup: targetSpeedups,
        met: onnxGpus.length > 0 && Object.values(targetSpeedups).some((s) => s !== null && s >= 5),
      },
      notes: {
        cpu: 'ONNX Runtime CPU provider on every core (intraOpNumThreads 0); tfjs WASM is single-threaded SIMD',
        seconds: SECONDS,
      },
      machine,
    },
    null,
    2,
  ),
);
process.exit(0);
