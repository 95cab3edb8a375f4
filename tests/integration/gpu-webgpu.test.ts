import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { describeAdapter, detectGpu } from '~/server/gpu/adapter';
import { createSession } from '~/server/inference/providers';
import { tryWasm, tryWebGpu, type BackendAttempt } from '~/workers/trainer/backend';
import { buildAutoencoder } from '~/workers/trainer/models/autoencoder';
import { FEATURES, featureRows, trainFeatureAutoencoder } from '~/scripts/fixtures/models';

/**
 * The WebGPU paths on the real hardware of the machine running the tests. Where Dawn finds a GPU
 * adapter, ONNX Runtime's WebGPU provider and tfjs-backend-webgpu must run and agree with the CPU;
 * where it finds none (CI, most laptops in containers), the test names say so and the documented
 * fallback is asserted instead: serving on CPU and training on WASM, each with the reason.
 */
const { report } = await detectGpu();
const gpu = report.available;
const title = gpu
  ? `WebGPU on ${describeAdapter(report)}`
  : `WebGPU SKIPPED, no GPU adapter here (${report.reason}): asserting the CPU/WASM fallback instead`;
if (!gpu) console.info(`[gpu-webgpu] ${title}`);

describe(title, () => {
  it(
    gpu
      ? 'ONNX Runtime scores the anomaly autoencoder on the webgpu provider like the CPU provider'
      : 'ONNX Runtime passes over webgpu with the adapter reason and serves on cpu',
    async () => {
      const { bytes } = await trainFeatureAutoencoder(11, { epochs: 3 });
      const rows = featureRows(12, 256);
      const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);
      const cpu = await createSession(bytes, { providers: ['cpu'] });
      const want = (await cpu.session.run({ features: x })).score!.data as Float32Array;
      await cpu.session.release();

      const chosen = await createSession(bytes, { providers: ['webgpu', 'cpu'], adapter: report });
      try {
        if (gpu) {
          expect(chosen.provider).toBe('webgpu');
          const got = (await chosen.session.run({ features: x })).score!.data as Float32Array;
          for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 3);
        } else {
          expect(chosen.provider).toBe('cpu');
          expect(chosen.attempts[0]).toEqual({ provider: 'webgpu', ok: false, reason: report.reason });
        }
      } finally {
        await chosen.session.release();
      }
    },
    120_000,
  );

  it(
    gpu
      ? 'tfjs trains the autoencoder on the webgpu backend'
      : 'tfjs reports why webgpu is unavailable and trains on wasm',
    async () => {
      const attempts: BackendAttempt[] = [];
      const onGpu = await tryWebGpu(attempts);
      expect(onGpu).toBe(gpu);
      if (gpu)
        expect(attempts.at(-1)).toMatchObject({ candidate: 'webgpu', ok: true, adapter: describeAdapter(report) });
      else {
        expect(attempts.at(-1)).toEqual({ candidate: 'webgpu', ok: false, reason: report.reason });
        expect(await tryWasm(attempts)).toBe(true);
      }
      expect(tf.getBackend()).toBe(gpu ? 'webgpu' : 'wasm');
      const model = buildAutoencoder(FEATURES.length);
      const x = tf.tensor2d(Float32Array.from(featureRows(13, 512).flat()), [512, FEATURES.length]);
      const z = tf.tidy(() => x.sub(x.mean(0)).div(x.sub(x.mean(0)).square().mean(0).sqrt().add(1e-6)));
      try {
        // tfjs does not export its ModelLoggingVerbosity enum; 0 is its SILENT.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
        const h = await model.fit(z, z, { epochs: 8, batchSize: 64, verbose: 0 });
        const loss = h.history.loss as number[];
        expect(loss.at(-1)!).toBeLessThan(loss[0]! * 0.8);
      } finally {
        tf.dispose([x, z]);
        model.dispose();
      }
    },
    120_000,
  );
});
