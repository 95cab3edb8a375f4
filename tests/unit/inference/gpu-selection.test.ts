import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeAdapter, openGpu, type DawnModule, type GpuAdapterReport } from '~/server/gpu/adapter';
import { batchingFor, GPU_MAX_BATCH } from '~/server/inference/batch-tuning';
import { inferenceMetrics } from '~/server/inference/metrics';
import { createSession, fallbackReason, firstLine, type SessionFactory } from '~/server/inference/providers';
import { openVersion } from '~/server/inference/version-session';
import { parseInferenceConfig } from '~/workers/inference/config';
import { autoencoderInfo, FEATURES, trainFeatureAutoencoder } from '~/scripts/fixtures/models';

/**
 * Provider selection and fallback without a GPU: Dawn is replaced by fakes that report no adapter,
 * a software adapter or an H200-like one, and ONNX Runtime by a factory that either builds a real
 * CPU session (standing in for a GPU provider that loads) or throws the way a provider does when
 * it fails at session creation.
 */
const H200_LIMITS = {
  maxBufferSize: 2 ** 40,
  maxStorageBufferBindingSize: 2 ** 32 - 4,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupSizeX: 1024,
  maxComputeWorkgroupsPerDimension: 65535,
  maxTextureDimension2D: 32768,
};
// The limits a report keeps: all but the texture size, which batching never depends on.
const { maxTextureDimension2D: _texture, ...H200_BATCH_LIMITS } = H200_LIMITS;

function fakeDawn(adapter: unknown, seen: string[][] = []): () => Promise<DawnModule> {
  return async () => ({
    globals: {},
    create: (flags) => {
      seen.push(flags);
      return { requestAdapter: async () => adapter as never };
    },
  });
}

const noAdapter: GpuAdapterReport = {
  available: false,
  backend: 'vulkan',
  name: null,
  vendor: null,
  architecture: null,
  limits: {},
  reason: 'no WebGPU adapter: Dawn found no Vulkan GPU',
};
const h200: GpuAdapterReport = {
  available: true,
  backend: 'vulkan',
  name: 'NVIDIA H200',
  vendor: 'nvidia',
  architecture: 'hopper',
  limits: { maxBufferSize: 2 ** 40 },
};

let bytes: Uint8Array;
let sidecar: unknown;
beforeAll(async () => {
  const t = await trainFeatureAutoencoder(3, { epochs: 3 });
  bytes = t.bytes;
  sidecar = t.sidecar;
}, 120_000);

/** A factory where the named providers "load" (as a real CPU session) and the rest throw `why`. */
function factory(loads: string[], why = 'device lost while compiling shaders'): SessionFactory & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (b, options) => {
    const first = options.executionProviders?.[0];
    const p = typeof first === 'string' ? first : JSON.stringify(first);
    calls.push(p);
    if (!loads.includes(p)) throw new Error(`${p}: ${why}\n    at native code`);
    return ort.InferenceSession.create(b, { ...options, executionProviders: ['cpu'] });
  }) as SessionFactory & { calls: string[] };
  f.calls = calls;
  return f;
}

describe('GPU adapter detection', () => {
  it('no adapter: unavailable, with a reason that names the Vulkan driver', async () => {
    const seen: string[][] = [];
    const { report, gpu } = await openGpu({ load: fakeDawn(null, seen), platform: 'linux', backend: '' });
    expect(seen).toEqual([['backend=vulkan']]);
    expect(gpu).toBeNull();
    expect(report).toMatchObject({ available: false, backend: 'vulkan', name: null });
    expect(report.reason).toMatch(/Vulkan/);
    expect(report.dawnMissing).toBeUndefined();
  });

  it('Dawn missing: unavailable and marked so, since it says nothing about the GPU', async () => {
    const { report } = await openGpu({
      load: () => Promise.reject(new Error('Cannot find module dawn.node')),
      platform: 'linux',
    });
    expect(report).toMatchObject({ available: false, dawnMissing: true });
    expect(report.reason).toContain('dawn.node');
  });

  it('a software fallback adapter does not count as a GPU', async () => {
    const { report } = await openGpu({
      load: fakeDawn({ info: { description: 'SwiftShader', isFallbackAdapter: true }, limits: H200_LIMITS }),
      platform: 'linux',
    });
    expect(report.available).toBe(false);
    expect(report.reason).toMatch(/software fallback adapter \(SwiftShader\)/);
  });

  it('adapter present: name, Dawn backend and the batch-relevant limits are reported', async () => {
    const { report, gpu } = await openGpu({
      load: fakeDawn({
        info: { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 580.159.04' },
        limits: H200_LIMITS,
      }),
      platform: 'linux',
    });
    expect(gpu).not.toBeNull();
    expect(report).toEqual({
      available: true,
      backend: 'vulkan',
      name: 'NVIDIA H200',
      driver: 'NVIDIA: 580.159.04',
      vendor: 'nvidia',
      architecture: 'hopper',
      limits: H200_BATCH_LIMITS,
    });
    expect(describeAdapter(report)).toBe(
      'NVIDIA H200 via Dawn/vulkan (max buffer 1048576 MiB, max storage binding 4096 MiB)',
    );
  });
});

describe('execution provider selection with an adapter report', () => {
  it('no adapter: WebGPU is passed over with the adapter reason and the session lands on CPU', async () => {
    const f = factory(['cpu']);
    const { session, provider, attempts } = await createSession(
      bytes,
      { providers: ['webgpu', 'cpu'], adapter: noAdapter },
      f,
    );
    await session.release();
    expect(provider).toBe('cpu');
    expect(f.calls).toEqual(['cpu']);
    expect(attempts).toEqual([
      { provider: 'webgpu', ok: false, reason: noAdapter.reason },
      { provider: 'cpu', ok: true },
    ]);
    expect(fallbackReason(attempts)).toBe(`webgpu: ${noAdapter.reason}`);
  });

  it('adapter present: WebGPU is selected ahead of CPU, with no fallback reason', async () => {
    const f = factory(['webgpu', 'cpu']);
    const { session, provider, attempts } = await createSession(
      bytes,
      { providers: ['cuda', 'webgpu', 'cpu'], adapter: h200 },
      f,
    );
    await session.release();
    expect(provider).toBe('webgpu');
    expect(f.calls).toEqual(['cuda', 'webgpu']);
    expect(attempts[0]).toMatchObject({ provider: 'cuda', ok: false });
    expect(attempts[1]).toEqual({ provider: 'webgpu', ok: true });
  });

  it('Dawn missing: ONNX Runtime (which has its own Dawn) is still asked for WebGPU', async () => {
    const f = factory(['webgpu']);
    const { session, provider } = await createSession(
      bytes,
      { providers: ['webgpu', 'cpu'], adapter: { ...noAdapter, dawnMissing: true } },
      f,
    );
    await session.release();
    expect(provider).toBe('webgpu');
  });

  it('provider fails at session creation: falls back to CPU with the first line of the reason', async () => {
    const f = factory(['cpu'], 'WebGPU device lost');
    const v = await openVersion(autoencoderInfo('ae-fallback', { id: 'v-fallback' }), bytes, sidecar, {
      providers: ['webgpu', 'cpu'],
      adapter: h200,
      batching: { maxBatch: 256, maxDelayUs: 500 },
      factory: f,
    });
    try {
      expect(f.calls).toEqual(['webgpu', 'cpu']);
      expect(v.provider).toBe('cpu');
      expect(v.attempts[0]).toEqual({ provider: 'webgpu', ok: false, reason: 'webgpu: WebGPU device lost' });
      expect(v.fallbackReason).toBe('webgpu: webgpu: WebGPU device lost');
      // CPU keeps the configured batching.
      expect(v.batching).toEqual({ maxBatch: 256, maxDelayUs: 500 });
    } finally {
      await v.retire();
    }
  });

  it('a GPU session gets the larger GPU batch and its provider on every batch metric', async () => {
    const v = await openVersion(autoencoderInfo('ae-gpu', { id: 'v-gpu', version: 7 }), bytes, sidecar, {
      providers: ['webgpu', 'cpu'],
      adapter: h200,
      batching: { maxBatch: 256, maxDelayUs: 500, maxConcurrent: 2 },
      gpuMaxBatch: 4096,
      factory: factory(['webgpu']),
    });
    try {
      expect(v.provider).toBe('webgpu');
      expect(v.fallbackReason).toBeNull();
      expect(v.batching).toEqual({ maxBatch: 4096, maxDelayUs: 500, maxConcurrent: 2 });
      expect(v.batcher).toBeDefined();
      await v.infer(new Float32Array(3 * FEATURES.length), 3);
      const rows = await inferenceMetrics.batchRows.get();
      const mine = rows.values.filter((x) => x.labels.model === 'ae-gpu' && x.metricName?.endsWith('_count'));
      expect(mine).toEqual([
        expect.objectContaining({ value: 1, labels: expect.objectContaining({ provider: 'webgpu' }) }),
      ]);
    } finally {
      await v.retire();
    }
  });
});

describe('provider failure reasons', () => {
  it("keep ONNX Runtime's message and drop its source location and assertion", () => {
    expect(
      firstLine(
        new Error(
          '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\nstack',
        ),
      ),
    ).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(firstLine(new Error('/src/a.cc:12 something broke'))).toBe('something broke');
    expect(firstLine(new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library'))).toBe(
      'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
    );
  });
});

describe('per-provider batch tuning', () => {
  it('CPU keeps the configured limits; GPU providers grow the maximum batch, never shrink it', () => {
    const base = { maxBatch: 256, maxDelayUs: 500, maxConcurrent: 2 };
    expect(batchingFor('cpu', base)).toEqual(base);
    expect(batchingFor('webgpu', base)).toEqual({ ...base, maxBatch: GPU_MAX_BATCH });
    expect(batchingFor('cuda', base, 2048)).toEqual({ ...base, maxBatch: 2048 });
    expect(batchingFor('cuda', { ...base, maxBatch: 16384 }, 2048).maxBatch).toBe(16384);
  });

  it('reads INFERENCE_GPU_MAX_BATCH, default 8192', () => {
    expect(parseInferenceConfig({}).gpuMaxBatch).toBe(8192);
    expect(parseInferenceConfig({ INFERENCE_GPU_MAX_BATCH: '2048' }).gpuMaxBatch).toBe(2048);
    expect(() => parseInferenceConfig({ INFERENCE_GPU_MAX_BATCH: '0' })).toThrow(/INFERENCE_GPU_MAX_BATCH/);
  });
});
