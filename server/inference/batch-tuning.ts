import type { ProviderName } from './providers';
import { isGpuProvider } from './providers';

/** Micro-batcher limits of one session (see MicroBatcher). */
export interface BatchingOptions {
  maxBatch: number;
  maxDelayUs: number;
  maxConcurrent?: number;
}

/**
 * Default largest batch on a GPU provider (INFERENCE_GPU_MAX_BATCH). A GPU run costs a fixed
 * launch and copy overhead, so its rows per second keep climbing up to thousands of rows per run
 * (`npm run bench -- gpu`), while on the CPU they flatten after a few hundred.
 */
export const GPU_MAX_BATCH = 8192;

/**
 * The batching a session gets on the provider it landed on. CPU keeps the configured limits; a GPU
 * provider may take batches up to `gpuMaxBatch` rows. The delay is not raised: the batcher already
 * lets a batch grow while runs are in flight, so only a busy GPU sees the larger batches, and an
 * idle one still answers a single row at once.
 */
export function batchingFor(
  provider: ProviderName,
  base: BatchingOptions,
  gpuMaxBatch: number = GPU_MAX_BATCH,
): BatchingOptions {
  if (!isGpuProvider(provider)) return { ...base };
  return { ...base, maxBatch: Math.max(base.maxBatch, gpuMaxBatch) };
}
