import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeAdapter, detectGpu, type AdapterLike, type GpuLike } from '~/server/gpu/adapter';
import { installConvFilterGradFallback } from './conv-filter-grad';

/**
 * Picks the fastest TensorFlow.js backend this machine can run, in the order of DESIGN.md:
 * native (tfjs-node-gpu, tfjs-node) when the operator installed it, WebGPU when an adapter exists,
 * WASM with SIMD, then plain JS. The result is recorded with every training run.
 */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface BackendAttempt {
  candidate: string;
  ok: boolean;
  reason?: string;
  /** The GPU the webgpu backend runs on (name, Dawn backend, limits). */
  adapter?: string;
}

export interface BackendChoice {
  /** tf.getBackend() after selection; 'tensorflow' is what tfjs-node registers. */
  backend: BackendName;
  /** The package that provided it, e.g. '@tensorflow/tfjs-node-gpu'. */
  provider: string;
  attempts: BackendAttempt[];
}

export interface BackendOptions {
  /** Skip candidates, e.g. to force WASM in tests or 'cpu' for bit-for-bit debugging. */
  exclude?: readonly ('native' | 'webgpu' | 'wasm')[];
}

// Kept in variables so bundlers and tsc do not try to resolve packages that are deliberately
// not dependencies.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

async function tryNative(attempts: BackendAttempt[]): Promise<string | null> {
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // Importing the package registers the 'tensorflow' backend with the shared tfjs-core; a
      // second tfjs-core copy would not, which the getBackend check below catches.
      await import(/* @vite-ignore */ pkg);
      if (await tf.setBackend('tensorflow')) {
        attempts.push({ candidate: pkg, ok: true });
        return pkg;
      }
      attempts.push({ candidate: pkg, ok: false, reason: 'imported but the tensorflow backend did not initialise' });
    } catch (err) {
      attempts.push({ candidate: pkg, ok: false, reason: firstLine(err) });
    }
  }
  return null;
}

/**
 * tfjs-backend-webgpu 4.22 asks for the feature list `['timestamp-query', ['bgra8unorm-storage']]`
 * (a nested array): browsers stringify the inner array, Dawn's strict conversion may not, so the
 * list is flattened before it reaches requestDevice.
 */
function tfjsCompatibleGpu(gpu: GpuLike): GpuLike {
  return {
    requestAdapter: async (options) => {
      const adapter = (await gpu.requestAdapter(options)) as
        (AdapterLike & { requestDevice(d?: { requiredFeatures?: unknown[] }): Promise<unknown> }) | null;
      if (adapter) {
        const requestDevice = adapter.requestDevice.bind(adapter);
        try {
          adapter.requestDevice = (d) =>
            requestDevice(d?.requiredFeatures ? { ...d, requiredFeatures: d.requiredFeatures.flat() } : d);
        } catch {
          // A read-only method: leave the adapter as it is.
        }
      }
      return adapter;
    },
  };
}

// WebGPU in Node: Dawn (the `webgpu` package) provides navigator.gpu, then
// @tensorflow/tfjs-backend-webgpu registers itself on import when navigator.gpu exists, so the
// import must come after the adapter is found.
export async function tryWebGpu(attempts: BackendAttempt[]): Promise<boolean> {
  const candidate = 'webgpu';
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- findBackend is undefined when not registered
    if (tf.findBackend('webgpu') && (await tf.setBackend('webgpu'))) {
      attempts.push({ candidate, ok: true });
      return true;
    }
    const { report, gpu, globals } = await detectGpu();
    if (!report.available || !gpu) {
      attempts.push({ candidate, ok: false, reason: report.reason ?? 'no WebGPU adapter found' });
      return false;
    }
    Object.assign(globalThis, globals);
    // Node 21+ has a navigator of its own without gpu; replace it for this process.
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: tfjsCompatibleGpu(gpu) },
      configurable: true,
      writable: true,
    });
    await import('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) {
      attempts.push({ candidate, ok: true, adapter: describeAdapter(report) });
      return true;
    }
    attempts.push({
      candidate,
      ok: false,
      reason: `adapter ${report.name} found but the webgpu backend did not initialise`,
    });
  } catch (err) {
    attempts.push({ candidate, ok: false, reason: firstLine(err) });
  }
  return false;
}

/** Directory holding the tfjs-backend-wasm .wasm binaries, with a trailing slash. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

export async function tryWasm(attempts: BackendAttempt[]): Promise<boolean> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- findBackend is undefined when not registered
    if (tf.findBackend('wasm') && (await tf.setBackend('wasm'))) {
      attempts.push({ candidate: 'wasm', ok: true });
      return true;
    }
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The threaded build needs SharedArrayBuffer workers that Node's emscripten glue does not set
    // up; single-threaded SIMD is the fast path that works in Node.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    wasm.setWasmPaths(wasmBinaryDir());
    if (await tf.setBackend('wasm')) {
      // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so Conv1D could not train.
      installConvFilterGradFallback();
      attempts.push({ candidate: 'wasm', ok: true });
      return true;
    }
    attempts.push({ candidate: 'wasm', ok: false, reason: 'wasm backend did not initialise' });
  } catch (err) {
    attempts.push({ candidate: 'wasm', ok: false, reason: firstLine(err) });
  }
  return false;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err)
    .split('\n')[0]!
    .slice(0, 300);
}

let current: Promise<BackendChoice> | null = null;
let currentKey = '';

/**
 * Selects and initialises the backend once per process (per option set); later calls return the
 * same choice, since switching tfjs backends mid-training would move every tensor.
 */
export function selectBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const key = JSON.stringify([...(options.exclude ?? [])].sort());
  if (current && key === currentKey) return current;
  currentKey = key;
  current = chooseBackend(options);
  return current;
}

async function chooseBackend(options: BackendOptions): Promise<BackendChoice> {
  const exclude = new Set(options.exclude ?? []);
  const attempts: BackendAttempt[] = [];
  if (!exclude.has('native')) {
    const pkg = await tryNative(attempts);
    if (pkg) return { backend: 'tensorflow', provider: pkg, attempts };
  }
  if (!exclude.has('webgpu') && (await tryWebGpu(attempts))) {
    // The adapter travels with the provider, so the run records which GPU trained it.
    const adapter = attempts.at(-1)?.adapter;
    const provider = `@tensorflow/tfjs-backend-webgpu${adapter ? ` on ${adapter}` : ''}`;
    return { backend: 'webgpu', provider, attempts };
  }
  if (!exclude.has('wasm') && (await tryWasm(attempts))) {
    return { backend: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', attempts };
  }
  await tf.setBackend('cpu');
  await tf.ready();
  attempts.push({ candidate: 'cpu', ok: true });
  return { backend: 'cpu', provider: '@tensorflow/tfjs-backend-cpu', attempts };
}
