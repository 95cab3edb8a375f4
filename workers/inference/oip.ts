import { z } from 'zod';
import { AppError } from '~/server/errors';
import type { RowOutputs } from '~/server/inference/batcher';
import type { TensorMeta, VersionSession } from '~/server/inference/version-session';

/**
 * Open Inference Protocol v2 (KServe/Triton REST) shapes and the pure conversions between them
 * and model sessions. Tensor data may be flat (row-major) or nested; the shape is authoritative.
 */
export const OIP_SERVER = { name: 'drivelab-inference', version: '1.0.0', extensions: [] as string[] };

const parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional();

export const inferRequestSchema = z.object({
  id: z.string().max(200).optional(),
  parameters,
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().nonnegative()).min(1).max(8),
        datatype: z.string().min(1),
        parameters,
        data: z.array(z.unknown()),
      }),
    )
    .min(1, 'at least one input tensor'),
  outputs: z.array(z.object({ name: z.string().min(1), parameters })).optional(),
});
export type InferRequest = z.infer<typeof inferRequestSchema>;

export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters: Record<string, string | number | boolean>;
  outputs: { name: string; datatype: TensorMeta['datatype']; shape: number[]; data: (number | boolean)[] }[];
}

export function modelMetadata(s: VersionSession, versions: number[]) {
  return {
    name: s.info.modelName,
    versions: versions.map(String),
    platform: 'onnxruntime_onnx',
    inputs: s.inputs,
    outputs: s.outputs,
    // Not in the protocol's required fields; clients ignore what they do not know.
    parameters: {
      version: s.info.version,
      version_id: s.info.id,
      kind: s.info.kind,
      execution_provider: s.provider,
      feature_names: s.info.featureNames,
      threshold: s.spec.threshold,
    },
  };
}

/** The largest finite float32: a value beyond it would become Infinity inside the model. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Why a tensor value cannot go into an FP32 tensor, or null. */
export function float32Problem(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a finite number, got ${preview(v)}`;
  if (Math.abs(v) > FLOAT32_MAX) return `${v} is outside the float32 range (±3.4e38)`;
  return null;
}

function preview(v: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined for undefined and functions
  return (JSON.stringify(v) ?? String(v)).slice(0, 40);
}

/**
 * Flattens nested data row-major, without recursion: an explicit stack, no deeper than the
 * tensor's rank (`maxDepth`), so hostile nesting is a 400, never a stack overflow.
 */
function flatten(
  data: unknown[],
  out: number[],
  maxDepth: number,
  maxValues: number,
): { path: string; message: string } | null {
  const stack: { arr: unknown[]; i: number; path: number[] }[] = [{ arr: data, i: 0, path: [] }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.arr.length) {
      stack.pop();
      continue;
    }
    const idx = top.i++;
    const v = top.arr[idx];
    if (Array.isArray(v)) {
      if (stack.length >= maxDepth)
        return { path: [...top.path, idx].join('.'), message: `nested deeper than the shape's ${maxDepth} dimensions` };
      stack.push({ arr: v, i: 0, path: [...top.path, idx] });
      continue;
    }
    const problem = float32Problem(v);
    if (problem) return { path: [...top.path, idx].join('.'), message: problem };
    if (out.length >= maxValues) return { path: '', message: `more than the ${maxValues} values the shape needs` };
    out.push(v as number);
  }
  return null;
}

export type PreparedInput =
  | { ok: true; data: Float32Array; rows: number }
  | { ok: false; error: string; issues?: { path: string; code: string; message: string }[] };

/** Checks an infer request against the model's one input: name, datatype, shape, data size. */
export function prepareInput(s: VersionSession, req: InferRequest): PreparedInput {
  const meta = s.inputs[0]!;
  if (req.inputs.length !== 1)
    return { ok: false, error: `model '${s.info.modelName}' takes 1 input ('${meta.name}'), got ${req.inputs.length}` };
  const t = req.inputs[0]!;
  if (t.name !== meta.name)
    return { ok: false, error: `unknown input '${t.name}'; model '${s.info.modelName}' takes '${meta.name}'` };
  if (t.datatype !== 'FP32') return { ok: false, error: `input '${t.name}' has datatype ${t.datatype}; expected FP32` };
  const want = meta.shape.slice(1);
  if (t.shape.length !== meta.shape.length || want.some((d, i) => d !== t.shape[i + 1])) {
    return { ok: false, error: `input '${t.name}' has shape [${t.shape.join(',')}]; expected [-1,${want.join(',')}]` };
  }
  const rows = t.shape[0]!;
  if (rows < 1) return { ok: false, error: `input '${t.name}' has no rows` };
  const expected = t.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  // The common case, flat numbers, without an intermediate array.
  if (t.data.length === expected && t.data.every((v) => float32Problem(v) === null))
    data = Float32Array.from(t.data as number[]);
  else {
    const flat: number[] = [];
    const err = flatten(t.data, flat, t.shape.length, expected);
    if (err)
      return {
        ok: false,
        error: `input '${t.name}': tensor data ${err.path ? `[${err.path}] ` : ''}${err.message}`,
        issues: [
          { path: `inputs.0.data${err.path ? `.${err.path}` : ''}`, code: 'invalid_value', message: err.message },
        ],
      };
    if (flat.length !== expected)
      return {
        ok: false,
        error: `input '${t.name}' has ${flat.length} values; shape [${t.shape.join(',')}] needs ${expected}`,
      };
    data = Float32Array.from(flat);
  }
  return { ok: true, data, rows };
}

/** Which outputs to return: all, or the requested ones (an unknown name is an error). */
export function selectOutputs(
  s: VersionSession,
  req: InferRequest,
): { ok: true; names: string[] } | { ok: false; error: string } {
  const all = s.outputs.map((o) => o.name);
  if (!req.outputs || req.outputs.length === 0) return { ok: true, names: all };
  const unknown = req.outputs.map((o) => o.name).filter((n) => !all.includes(n));
  if (unknown.length > 0)
    return {
      ok: false,
      error: `unknown output(s) ${unknown.join(', ')}; model '${s.info.modelName}' has ${all.join(', ')}`,
    };
  return { ok: true, names: req.outputs.map((o) => o.name) };
}

export function buildResponse(
  s: VersionSession,
  alias: string | null,
  req: InferRequest,
  names: string[],
  out: RowOutputs,
): InferResponse {
  const outputs = names.map((name) => {
    const meta = s.outputs.find((o) => o.name === name)!;
    const t = out[name];
    if (!t) throw new Error(`model produced no output '${name}'`);
    const data = new Array<number | boolean>(t.data.length);
    if (meta.datatype === 'BOOL') for (let i = 0; i < t.data.length; i++) data[i] = Boolean(t.data[i]);
    else
      for (let i = 0; i < t.data.length; i++) {
        const n = Number(t.data[i]);
        // JSON has no NaN or Infinity: returned as a success they would read as null.
        if (!Number.isFinite(n))
          throw new AppError(
            'UNPROCESSABLE_CONTENT',
            `the model produced a non-finite value in '${name}' for this input`,
            {
              issues: [{ path: `outputs.${name}.${i}`, code: 'non_finite', message: 'the model output is not finite' }],
            },
          );
        data[i] = n;
      }
    return { name, datatype: meta.datatype, shape: t.dims, data };
  });
  const parameters: InferResponse['parameters'] = { version_id: s.info.id, execution_provider: s.provider };
  if (alias) parameters.alias = alias;
  return {
    model_name: s.info.modelName,
    model_version: String(s.info.version),
    ...(req.id !== undefined ? { id: req.id } : {}),
    parameters,
    outputs,
  };
}
