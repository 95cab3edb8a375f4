import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
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

// WebGPU in Node needs the `webgpu` package (Dawn) to provide navigator.gpu plus
// @tensorflow/tfjs-backend-webgpu; neither is installed by default, so this normally reports why.
async function tryWebGpu(attempts: BackendAttempt[]): Promise<boolean> {
  const candidate = 'webgpu';
  try {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    let adapter: unknown = null;
    if (gpu) adapter = await gpu.requestAdapter();
    else {
      const dawnPkg = 'webgpu';
      const dawn = (await import(/* @vite-ignore */ dawnPkg)) as {
        create(args: string[]): { requestAdapter(): Promise<unknown> };
        globals: Record<string, unknown>;
      };
      Object.assign(globalThis, dawn.globals);
      const navigatorGpu = dawn.create([]);
      adapter = await navigatorGpu.requestAdapter();
      if (adapter) Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true });
    }
    if (!adapter) {
      attempts.push({ candidate, ok: false, reason: 'no WebGPU adapter found' });
      return false;
    }
    const backendPkg = '@tensorflow/tfjs-backend-webgpu';
    await import(/* @vite-ignore */ backendPkg);
    if (await tf.setBackend('webgpu')) {
      attempts.push({ candidate, ok: true });
      return true;
    }
    attempts.push({ candidate, ok: false, reason: 'adapter found but the webgpu backend did not initialise' });
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

async function tryWasm(attempts: BackendAttempt[]): Promise<boolean> {
  try {
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
    return { backend: 'webgpu', provider: '@tensorflow/tfjs-backend-webgpu', attempts };
  }
  if (!exclude.has('wasm') && (await tryWasm(attempts))) {
    return { backend: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', attempts };
  }
  await tf.setBackend('cpu');
  await tf.ready();
  attempts.push({ candidate: 'cpu', ok: true });
  return { backend: 'cpu', provider: '@tensorflow/tfjs-backend-cpu', attempts };
}
