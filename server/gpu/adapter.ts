/**
 * WebGPU adapter detection through Dawn for Node (the `webgpu` package). Both GPU paths use it:
 * serving asks it whether ONNX Runtime's WebGPU execution provider (Dawn over Vulkan, bundled in
 * onnxruntime-node) can have a GPU, and training installs its `navigator.gpu` for
 * @tensorflow/tfjs-backend-webgpu. Detection runs once per process and is reported at start.
 */

/** The limits that decide how large a batch or a tensor a GPU run can take. */
export const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;

export interface GpuAdapterReport {
  /** A hardware adapter was found (a software fallback adapter does not count). */
  available: boolean;
  /** Dawn's backend asked for ('vulkan' on Linux), or 'default'. */
  backend: string;
  /** Device name as the driver reports it, e.g. 'NVIDIA H200'. */
  name: string | null;
  /** Driver description, e.g. 'NVIDIA: 580.159.04'. */
  driver?: string | null;
  vendor: string | null;
  architecture: string | null;
  limits: Partial<Record<(typeof REPORTED_LIMITS)[number], number>>;
  /** Why there is no adapter; absent when one is available. */
  reason?: string;
  /**
   * True when Dawn itself could not be loaded: the answer then says nothing about the GPU, so a
   * provider with its own Dawn (ONNX Runtime's) is still worth trying.
   */
  dawnMissing?: boolean;
}

/** The parts of the WebGPU API used here (the `webgpu` package's GPU object). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
}
export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
export type DawnLoader = () => Promise<DawnModule>;

// Kept in a variable so bundlers leave the native package to be resolved at run time.
const DAWN_PACKAGE = 'webgpu';
const loadDawn: DawnLoader = async () => (await import(/* @vite-ignore */ DAWN_PACKAGE)) as DawnModule;

/** Dawn's default backend per platform; GPU_BACKEND overrides it (e.g. 'opengles', 'null'). */
export function dawnBackend(platform: NodeJS.Platform, override: string | undefined): string {
  if (override && override.trim() !== '') return override.trim();
  return platform === 'linux' ? 'vulkan' : 'default';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).slice(0, 300);
}

export interface OpenedGpu {
  report: GpuAdapterReport;
  /** The GPU object and the WebGPU globals, for tfjs-backend-webgpu; null without an adapter. */
  gpu: GpuLike | null;
  globals: Record<string, unknown> | null;
}

/** Loads Dawn and asks it for a high-performance adapter. Never throws: failures become reasons. */
export async function openGpu(
  options: { load?: DawnLoader; backend?: string; platform?: NodeJS.Platform } = {},
): Promise<OpenedGpu> {
  const backend = dawnBackend(options.platform ?? process.platform, options.backend ?? process.env.GPU_BACKEND);
  const none = (reason: string, dawnMissing = false): OpenedGpu => ({
    report: {
      available: false,
      backend,
      name: null,
      vendor: null,
      architecture: null,
      limits: {},
      reason,
      ...(dawnMissing ? { dawnMissing } : {}),
    },
    gpu: null,
    globals: null,
  });
  let dawn: DawnModule;
  try {
    dawn = await (options.load ?? loadDawn)();
  } catch (err) {
    return none(`Dawn for Node (npm package webgpu) did not load: ${firstLine(err)}`, true);
  }
  try {
    const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return none(
        backend === 'vulkan'
          ? 'no WebGPU adapter: Dawn found no Vulkan GPU (needs the Vulkan loader libvulkan1 and the GPU vendor’s Vulkan driver/ICD)'
          : `no WebGPU adapter on Dawn backend ${backend}`,
      );
    const info = adapter.info ?? {};
    if (adapter.isFallbackAdapter || info.isFallbackAdapter)
      return none(`only a software fallback adapter (${info.description || info.device || 'CPU'}) was found`);
    const limits: GpuAdapterReport['limits'] = {};
    for (const k of REPORTED_LIMITS) if (typeof adapter.limits[k] === 'number') limits[k] = adapter.limits[k];
    return {
      report: {
        available: true,
        backend,
        name: info.device || info.description || info.vendor || 'unnamed adapter',
        driver: info.description || null,
        vendor: info.vendor || null,
        architecture: info.architecture || null,
        limits,
      },
      gpu,
      globals: dawn.globals,
    };
  } catch (err) {
    return none(`WebGPU adapter request failed: ${firstLine(err)}`);
  }
}

let detected: Promise<OpenedGpu> | null = null;

/** openGpu() once per process: Dawn instances are costly and the answer does not change. */
export function detectGpu(): Promise<OpenedGpu> {
  detected ??= openGpu();
  return detected;
}

/** One line for logs and the Serving page. */
export function describeAdapter(r: GpuAdapterReport): string {
  if (!r.available) return `no GPU adapter (${r.reason})`;
  const mib = (n: number | undefined) => (n === undefined ? '?' : `${Math.round(n / 2 ** 20)} MiB`);
  return `${r.name} via Dawn/${r.backend} (max buffer ${mib(r.limits.maxBufferSize)}, max storage binding ${mib(r.limits.maxStorageBufferBindingSize)})`;
}
