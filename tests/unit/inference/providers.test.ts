import { beforeAll, describe, expect, it } from 'vitest';
import { createSession, NoProviderError, parseProviders, probeProviders } from '~/server/inference/providers';
import { openVersion } from '~/server/inference/version-session';
import { parseInferenceConfig } from '~/workers/inference/config';
import { autoencoderInfo, FEATURES, featureRows, trainFeatureAutoencoder } from '~/scripts/fixtures/models';

// Real ONNX Runtime on this machine: no CUDA provider libraries and no Vulkan GPU, so the GPU
// providers must fail at session creation and the session must land on the next one.
let bytes: Uint8Array;
let sidecar: unknown;
beforeAll(async () => {
  const t = await trainFeatureAutoencoder(1, { epochs: 5 });
  bytes = t.bytes;
  sidecar = t.sidecar;
}, 120_000);

describe('execution provider selection', () => {
  it('parses the configured order, defaults to cuda,webgpu,cpu and refuses unknown names', () => {
    expect(parseProviders(undefined)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(parseProviders(' WebGPU , cpu,cpu')).toEqual(['webgpu', 'cpu']);
    expect(() => parseProviders('cuda,tpu')).toThrow(/unknown provider\(s\) tpu/);
    expect(() => parseInferenceConfig({ INFERENCE_PROVIDERS: 'gpu' })).toThrow(/gpu/);
    expect(parseInferenceConfig({}).providers).toEqual(['cuda', 'webgpu', 'cpu']);
  });

  it('falls back past providers that cannot load and reports why', async () => {
    const { session, provider, attempts } = await createSession(bytes, { providers: ['cuda', 'webgpu', 'cpu'] });
    try {
      const gpu = attempts.filter((a) => a.provider !== 'cpu');
      // On a machine with a working GPU provider the first one that loads is used instead.
      if (gpu.some((a) => a.ok)) expect(provider).toBe(gpu.find((a) => a.ok)!.provider);
      else {
        expect(provider).toBe('cpu');
        expect(attempts.map((a) => a.provider)).toEqual(['cuda', 'webgpu', 'cpu']);
        for (const a of gpu) expect(a.reason).toBeTruthy();
      }
      expect(session.inputNames).toEqual(['features']);
    } finally {
      await session.release();
    }
  });

  it('uses the configured order: cpu first means cpu even where a GPU would load', async () => {
    const { session, provider, attempts } = await createSession(bytes, { providers: ['cpu', 'cuda'] });
    await session.release();
    expect(provider).toBe('cpu');
    expect(attempts).toEqual([{ provider: 'cpu', ok: true }]);
  });

  it('fails with every reason when no configured provider loads', async () => {
    const probe = await probeProviders(bytes, ['cuda', 'webgpu', 'cpu']);
    expect(probe.find((p) => p.provider === 'cpu')!.ok).toBe(true);
    const unavailable = probe.filter((p) => !p.ok).map((p) => p.provider);
    if (unavailable.length === 0) {
      expect(probe.every((p) => p.ok)).toBe(true);
      return;
    }
    const err = await createSession(bytes, { providers: unavailable }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoProviderError);
    expect((err as NoProviderError).attempts.map((a) => a.provider)).toEqual(unavailable);
    expect((err as Error).message).toContain(unavailable[0]!);
  });

  it('serves a version on the provider it reports, with OIP tensor metadata', async () => {
    const v = await openVersion(autoencoderInfo('ae'), bytes, sidecar, {
      providers: ['webgpu', 'cpu'],
      batching: { maxBatch: 16, maxDelayUs: 100 },
    });
    try {
      expect(['webgpu', 'cpu']).toContain(v.provider);
      expect(v.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, FEATURES.length] }]);
      expect(v.outputs).toEqual([
        { name: 'reconstruction', datatype: 'FP32', shape: [-1, FEATURES.length] },
        { name: 'score', datatype: 'FP32', shape: [-1, 1] },
        { name: 'is_anomaly', datatype: 'BOOL', shape: [-1, 1] },
      ]);
      expect(v.spec.threshold).toBeGreaterThan(0);
      const normal = featureRows(5, 4);
      const faulty = featureRows(6, 4, true);
      const out = await v.infer(Float32Array.from([...normal, ...faulty].flat()), 8);
      const scores = Array.from(out.score!.data as Float32Array);
      expect(Math.max(...scores.slice(0, 4))).toBeLessThan(Math.min(...scores.slice(4)));
      expect(Array.from(out.is_anomaly!.data as Uint8Array).slice(4)).toEqual([1, 1, 1, 1]);
    } finally {
      await v.retire();
    }
  });
});
