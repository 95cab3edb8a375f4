import * as ort from 'onnxruntime-node';
import type { GpuAdapterReport } from '../gpu/adapter';

/**
 * Execution providers of onnxruntime-node, tried in the configured order (INFERENCE_PROVIDERS,
 * default cuda,webgpu,cpu). The npm package bundles CPU and WebGPU; CUDA needs the provider
 * libraries that `onnxruntime-node-install=skip` leaves out, WebGPU needs a Vulkan loader and a GPU.
 * Each is tried on its own, so a session never silently runs somewhere other than reported.
 */
// ORT logs a failed provider load at error level on stderr; createSession reports each attempt
// itself, so only fatal messages of the runtime are worth printing.
ort.env.logLevel = 'fatal';

const KNOWN_PROVIDERS = ['cuda', 'tensorrt', 'webgpu', 'dml', 'coreml', 'cpu'] as const;
export type ProviderName = (typeof KNOWN_PROVIDERS)[number];
const DEFAULT_PROVIDERS: readonly ProviderName[] = ['cuda', 'webgpu', 'cpu'];

export function parseProviders(spec: string | undefined): ProviderName[] {
  if (spec === undefined || spec.trim() === '') return [...DEFAULT_PROVIDERS];
  const names = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !(KNOWN_PROVIDERS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(
      `INFERENCE_PROVIDERS: unknown provider(s) ${unknown.join(', ')}; known: ${KNOWN_PROVIDERS.join(', ')}`,
    );
  if (names.length === 0) throw new Error('INFERENCE_PROVIDERS: name at least one provider');
  return [...new Set(names)] as ProviderName[];
}

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  /** First line of the error when it failed. */
  reason?: string;
}

export interface SessionOptions {
  providers: readonly ProviderName[];
  /** Threads per session run; 1 keeps latency flat when many sessions share a few cores. */
  intraOpThreads?: number;
  /**
   * What Dawn found at start (server/gpu/adapter). When it says there is no adapter, WebGPU is
   * passed over with that reason instead of a slower failed session; when Dawn itself was missing
   * it says nothing, and ONNX Runtime (which has its own Dawn) is asked anyway.
   */
  adapter?: GpuAdapterReport | null;
}

export const GPU_PROVIDERS: readonly ProviderName[] = ['cuda', 'tensorrt', 'webgpu', 'dml', 'coreml'];
export const isGpuProvider = (p: ProviderName) => GPU_PROVIDERS.includes(p);

/** Whether a provider is worth a session attempt, given the adapter report; the reason when not. */
export function skipReason(provider: ProviderName, adapter: GpuAdapterReport | null | undefined): string | null {
  if (provider !== 'webgpu' || !adapter || adapter.available || adapter.dawnMissing) return null;
  return adapter.reason ?? 'no WebGPU adapter';
}

/**
 * Why the session is not on the first configured provider ("cuda: …; webgpu: …"), or null when it
 * is. Logged when a version loads and shown on the Serving page.
 */
export function fallbackReason(attempts: readonly ProviderAttempt[]): string | null {
  const failed = attempts.filter((a) => !a.ok);
  if (failed.length === 0) return null;
  return failed.map((a) => `${a.provider}: ${a.reason ?? 'failed'}`).join('; ');
}

export class NoProviderError extends Error {
  constructor(readonly attempts: ProviderAttempt[]) {
    super(
      `no execution provider could load the model: ${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}`,
    );
    this.name = 'NoProviderError';
  }
}

/**
 * The first line of an error, without ONNX Runtime's source location and failed assertion
 * ("/onnxruntime_src/…/webgpu_context.cc:136 …::<lambda()> x == y was false. Failed to get a
 * WebGPU adapter: …" becomes "Failed to get a WebGPU adapter: …"), for logs and the Serving page.
 */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  let line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  const assertion = /^\/\S+:\d+ .* was false\. (.+)$/.exec(line);
  if (assertion) line = assertion[1]!;
  else line = line.replace(/^\/\S+\.(?:cc|cpp|h):\d+ /, '');
  return line.slice(0, 300);
}

export type SessionFactory = (
  bytes: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
) => Promise<ort.InferenceSession>;
const ortFactory: SessionFactory = (bytes, options) => ort.InferenceSession.create(bytes, options);

/** Creates a session on the first provider that loads the model, and says which one and why not the others. */
export async function createSession(
  bytes: Uint8Array,
  options: SessionOptions,
  factory: SessionFactory = ortFactory,
): Promise<{ session: ort.InferenceSession; provider: ProviderName; attempts: ProviderAttempt[] }> {
  const attempts: ProviderAttempt[] = [];
  for (const provider of options.providers) {
    const skip = skipReason(provider, options.adapter);
    if (skip) {
      attempts.push({ provider, ok: false, reason: skip });
      continue;
    }
    try {
      const session = await factory(bytes, {
        executionProviders: [provider],
        intraOpNumThreads: options.intraOpThreads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // ORT prints failed provider loads at error level itself; the attempts list carries them.
        logSeverityLevel: 4,
      });
      attempts.push({ provider, ok: true });
      return { session, provider, attempts };
    } catch (err) {
      attempts.push({ provider, ok: false, reason: firstLine(err) });
    }
  }
  throw new NoProviderError(attempts);
}

/** Which configured providers can create a session on this machine (for the bench and /v2 metadata). */
export async function probeProviders(
  bytes: Uint8Array,
  providers: readonly ProviderName[],
  adapter?: GpuAdapterReport | null,
): Promise<ProviderAttempt[]> {
  const out: ProviderAttempt[] = [];
  for (const provider of providers) {
    try {
      const { session } = await createSession(bytes, { providers: [provider], adapter });
      await session.release();
      out.push({ provider, ok: true });
    } catch (err) {
      out.push({
        provider,
        ok: false,
        reason: err instanceof NoProviderError ? err.attempts[0]?.reason : firstLine(err),
      });
    }
  }
  return out;
}
