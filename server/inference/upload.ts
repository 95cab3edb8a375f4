import * as ort from 'onnxruntime-node';
import type { PrismaClient } from '@prisma/client';
import {
  UPLOAD_TASKS,
  uploadModelOptionsSchema,
  UPLOAD_MODEL_MAX_BYTES,
  type UploadModelOptions,
} from '../contracts/model-upload';
import { AppError } from '../errors';
import { readFileWithOptions } from '../http/multipart';
import { scoresOf, scoreSpec } from './scoring';
import { objectStore, type ObjectStore } from '../store/object-store';
import { registerModelVersion } from '../models/registry';

/**
 * Bring your own model: an ONNX file trained elsewhere (XGBoost, scikit-learn, PyTorch … exported
 * to ONNX) with its feature names becomes the next version of a registered model, served like the
 * trained ones. It is checked by loading it in ONNX Runtime and running it once: one float input
 * of [batch, features] whose width matches the declared names, tensor outputs only, and a score
 * output with one value per row (or one probability per class).
 */
export { UPLOAD_MODEL_MAX_BYTES, UPLOAD_TASKS, uploadModelOptionsSchema, type UploadModelOptions };

/** Reads the multipart upload: `file` (the .onnx) and `options` (JSON). 413 over the limit. */
export async function readModelUpload(req: Request): Promise<{ bytes: Uint8Array; options: UploadModelOptions }> {
  const { file, options } = await readFileWithOptions(req, {
    limit: UPLOAD_MODEL_MAX_BYTES,
    envelope: 1024 * 1024,
    fileWhat: ' (the .onnx model)',
    schema: uploadModelOptionsSchema,
    optionsWhat: 'Invalid model options',
  });
  return { bytes: new Uint8Array(await file.arrayBuffer()), options };
}

const bad = (message: string, path = 'file') =>
  new AppError('BAD_REQUEST', message, { issues: [{ path, code: 'invalid_model', message }] });

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);

export interface CheckedModel {
  inputName: string;
  scoreOutput: string;
  /** Values per row of the score output: 1, or the number of classes. */
  scoreColumns: number;
  outputs: { name: string; dims: (number | string)[]; type: string }[];
  /** The model's scores on the reference rows (empty without them). */
  referenceScores: number[];
}

/**
 * Loads the model in ONNX Runtime and checks it against the declared options; every mismatch is
 * a 400 that says what the graph has and what was declared.
 */
export async function checkUploadedModel(bytes: Uint8Array, o: UploadModelOptions): Promise<CheckedModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1 });
  } catch (err) {
    throw bad(`ONNX Runtime cannot load this file: ${(err as Error).message.slice(0, 300)}`);
  }
  try {
    const F = o.featureNames.length;
    const inputs = session.inputMetadata;
    if (inputs.length !== 1)
      throw bad(
        `The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); DriveLab serves models with one input of [batch, features]`,
      );
    const input = inputs[0]!;
    if (!input.isTensor || input.type !== 'float32')
      throw bad(
        `Input '${input.name}' is ${input.isTensor ? input.type : 'not a tensor'}; it must be float32 [batch, ${F}]`,
      );
    if (input.shape.length > 0) {
      if (input.shape.length !== 2)
        throw bad(`Input '${input.name}' has shape [${input.shape.join(', ')}]; it must be [batch, ${F}]`);
      const [batch, width] = input.shape;
      if (typeof width === 'number' && width !== F)
        throw bad(
          `Input '${input.name}' takes ${width} features but ${F} feature names were declared (${o.featureNames.join(', ')})`,
          'options.featureNames',
        );
      if (typeof batch === 'number' && batch > 0 && batch !== 1 && batch !== -1)
        throw bad(`Input '${input.name}' has a fixed batch of ${batch}; export it with a dynamic batch dimension`);
    }
    const nonTensor = session.outputMetadata.filter((m) => !m.isTensor).map((m) => m.name);
    if (nonTensor.length > 0)
      throw bad(
        `Output(s) ${nonTensor.join(', ')} are not tensors (a map or sequence, e.g. scikit-learn's ZipMap); export with tensor outputs only (skl2onnx: options={'zipmap': False})`,
      );
    const outputs = session.outputMetadata.map((m) => ({
      name: m.name,
      dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 'batch')) : [],
      type: m.isTensor ? m.type : 'unknown',
    }));
    const scoreOutput = o.output ?? outputs[0]!.name;
    const meta = outputs.find((x) => x.name === scoreOutput);
    if (!meta)
      throw bad(
        `The model has no output '${scoreOutput}'; its outputs are ${outputs.map((x) => x.name).join(', ')}`,
        'options.output',
      );
    if (!FLOAT_TYPES.has(meta.type) && !(o.task === 'regression' && meta.type.startsWith('int')))
      throw bad(`Output '${scoreOutput}' is ${meta.type}; the score must be a float tensor`, 'options.output');

    // One run on two rows: the graph must really execute, with one score (or class row) per input row.
    const run = async (rows: number, data: Float32Array) => {
      try {
        return await session.run({ [input.name]: new ort.Tensor('float32', data, [rows, F]) });
      } catch (err) {
        throw bad(`The model fails on a [${rows}, ${F}] input: ${(err as Error).message.slice(0, 300)}`);
      }
    };
    const std = o.preprocessing?.standardize;
    const prep = (rows: (number | null)[][]) => {
      const out = new Float32Array(rows.length * F);
      rows.forEach((r, i) =>
        r.forEach((v, j) => {
          const x = v ?? std?.mean[j] ?? 0;
          out[i * F + j] = std ? (x - std.mean[j]!) / std.std[j]! : x;
        }),
      );
      return out;
    };
    const probe = await run(2, prep([new Array<number>(F).fill(0), new Array<number>(F).fill(1)]));
    const t = probe[scoreOutput] as ort.Tensor;
    if (t.dims[0] !== 2 || t.data.length % 2 !== 0)
      throw bad(`Output '${scoreOutput}' has shape [${t.dims.join(', ')}] for 2 rows; it needs one row per input row`);
    const cols = t.data.length / 2;
    if (o.task !== 'classification' && cols !== 1)
      throw bad(`Output '${scoreOutput}' has ${cols} values per row; a ${o.task} score needs one`, 'options.output');
    if (o.task === 'classification' && o.labels && cols > 1 && cols !== o.labels.length)
      throw bad(
        `Output '${scoreOutput}' has ${cols} class columns but ${o.labels.length} labels were given`,
        'options.labels',
      );

    let referenceScores: number[] = [];
    if (o.reference?.length) {
      const kind = UPLOAD_TASKS[o.task];
      const spec = scoreSpec(kind, o.threshold ?? null, { classes: o.labels, scoreOutput });
      const res = await run(o.reference.length, prep(o.reference));
      const outs = Object.fromEntries(
        Object.entries(res).map(([k, v]) => [k, { data: v.data as never, dims: [...v.dims] }]),
      );
      referenceScores = Array.from(scoresOf(spec, outs, o.reference.length));
    }
    return { inputName: input.name, scoreOutput, scoreColumns: cols, outputs, referenceScores };
  } finally {
    await session.release().catch(() => undefined);
  }
}

/** Checks an uploaded model and registers it as the next version of `options.name`. */
export async function registerUploadedModel(
  db: PrismaClient,
  input: { orgId: string; bytes: Uint8Array; options: UploadModelOptions; createdById?: string | null },
  store: ObjectStore = objectStore(),
) {
  const o = input.options;
  const checked = await checkUploadedModel(input.bytes, o);
  const kind = UPLOAD_TASKS[o.task];
  const existing = await db.registeredModel.findUnique({
    where: { orgId_name: { orgId: input.orgId, name: o.name } },
    select: { kind: true },
  });
  if (existing && existing.kind !== kind)
    throw new AppError(
      'CONFLICT',
      `Model '${o.name}' holds ${existing.kind} versions; upload a ${o.task} model under another name`,
    );
  const F = o.featureNames.length;
  const std = o.preprocessing?.standardize;
  // Missing readings are imputed with the training mean: the declared one, else the reference's.
  const mean =
    std?.mean ??
    o.featureNames.map((_, j) => {
      const xs = (o.reference ?? []).map((r) => r[j]).filter((v): v is number => v !== null && v !== undefined);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    });
  const sidecar = {
    kind,
    origin: 'upload',
    task: o.task,
    featureNames: o.featureNames,
    normalisation: { mean, std: std?.std ?? new Array<number>(F).fill(1) },
    input: { name: checked.inputName, dims: ['batch', F] },
    outputs: checked.outputs,
    scoreOutput: checked.scoreOutput,
    ...(std ? { preprocess: { mean: std.mean, std: std.std } } : {}),
    ...(o.labels ? { classes: o.labels } : {}),
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
  };
  const version = await registerModelVersion(
    db,
    {
      orgId: input.orgId,
      modelName: o.name,
      kind,
      featureNames: o.featureNames,
      metrics: {},
      threshold: o.threshold ?? null,
      onnx: input.bytes,
      sidecar,
      inputShape: [F],
      outputShape: [checked.scoreColumns],
      createdById: input.createdById ?? null,
      description: o.description ?? `Uploaded ONNX (${o.task})`,
      ...(o.reference?.length
        ? {
            reference: {
              // Drift keeps missing readings missing (counted as nulls, not as the mean).
              features: o.reference as number[][],
              predictions: checked.referenceScores,
              importance: [],
              importanceMetric: 'none',
              importanceBaseline: 0,
            },
          }
        : {}),
    },
    store,
  );
  return { version, checked };
}
