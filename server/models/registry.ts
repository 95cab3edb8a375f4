import type { PrismaClient } from '@prisma/client';
import type { ModelKindName } from '../contracts/models';
import { objectStore, type ObjectStore } from '../store/object-store';

/**
 * Writing and reading the model registry's artifacts. The trainer registers versions, the web
 * app moves aliases, the inference worker loads what aliases point at; all of them go through
 * these functions so the object-store layout is defined once:
 *   models/<orgId>/<modelId>/v<version>/model.onnx | sidecar.json | tfjs.json | background.json | reference.json
 */
export function artifactKey(
  orgId: string,
  modelId: string,
  version: number,
  file: 'model.onnx' | 'sidecar.json' | 'tfjs.json' | 'background.json' | 'reference.json',
): string {
  return `models/${orgId}/${modelId}/v${version}/${file}`;
}

export async function putObject(store: ObjectStore, key: string, bytes: Uint8Array): Promise<void> {
  const w = await store.createWriter(key);
  try {
    await w.write(bytes);
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** One encoding (compact JSON, UTF-8) for every JSON artifact, so any reader can parse any of them. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await putObject(store, key, Buffer.from(JSON.stringify(value)));
}

export async function getObject(store: ObjectStore, key: string): Promise<Uint8Array | null> {
  const r = await store.openReader(key);
  if (!r) return null;
  try {
    return await r.read(0n, await r.size());
  } finally {
    await r.close();
  }
}

/** The JSON artifact at `key`, or null when it is missing or not JSON (a reader never throws on it). */
export async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  const bytes = await getObject(store, key);
  if (!bytes) return null;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export interface NewModelVersion {
  orgId: string;
  /** Registered model name, unique per org; created on first use. */
  modelName: string;
  kind: ModelKindName;
  featureNames: string[];
  metrics: Record<string, number | null>;
  threshold?: number | null;
  onnx: Uint8Array;
  /** The ONNX sidecar (feature names, normalisation, outputs), stored beside the model. */
  sidecar: unknown;
  /** Serialised tfjs model (model.json with weights inlined), when kept. */
  tfjs?: unknown;
  inputShape: number[];
  outputShape: number[];
  /**
   * A sample of training rows (raw feature values, the model's feature order): the background
   * that explanations (KernelSHAP) average over. Without one, explanations use the training means.
   */
  background?: number[][];
  /**
   * What the version keeps of its training data (reference.json): a sample of training rows and
   * the model's scores on them (drift references), and global permutation importance. An even
   * spread of its rows is the explanation background when `background` is not given.
   */
  reference?: {
    features: number[][];
    predictions: number[];
    importance: { feature: string; importance: number; std: number }[];
    importanceMetric: string;
    importanceBaseline: number;
  };
  experimentRunId?: string | null;
  createdById?: string | null;
  description?: string;
}

type Db = Pick<PrismaClient, 'registeredModel' | 'modelVersion' | '$transaction'>;

/** Rows of the stored explanation background, taken evenly from the reference sample. */
const BACKGROUND_ROWS = 100;
const spread = <T>(xs: T[], n: number): T[] =>
  xs.length <= n ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);

/**
 * Adds the next version of a model (creating the model on first use). Artifacts are written
 * before the row, so a version that exists always has its files; a crash in between leaves only
 * unreferenced files behind.
 */
export async function registerModelVersion(db: Db, input: NewModelVersion, store: ObjectStore = objectStore()) {
  const model = await db.registeredModel.upsert({
    where: { orgId_name: { orgId: input.orgId, name: input.modelName } },
    create: {
      orgId: input.orgId,
      name: input.modelName,
      kind: input.kind,
      description: input.description ?? null,
      createdById: input.createdById ?? null,
    },
    update: {},
  });
  if (model.kind !== input.kind)
    throw new Error(`model ${input.modelName} holds ${model.kind} versions, not ${input.kind}`);
  // Version numbers come from a retry loop on the unique (modelId, version): two trainers
  // finishing at once both succeed, one of them with the next number.
  for (let attempt = 0; ; attempt++) {
    const last = await db.modelVersion.findFirst({
      where: { modelId: model.id },
      orderBy: { version: 'desc' },
      select: { version: true },
    });
    const version = (last?.version ?? 0) + 1;
    const onnxKey = artifactKey(input.orgId, model.id, version, 'model.onnx');
    const sidecarKey = artifactKey(input.orgId, model.id, version, 'sidecar.json');
    const tfjsKey = input.tfjs === undefined ? null : artifactKey(input.orgId, model.id, version, 'tfjs.json');
    await putObject(store, onnxKey, input.onnx);
    await putJson(store, sidecarKey, input.sidecar);
    if (tfjsKey) await putJson(store, tfjsKey, input.tfjs);
    const background = input.background ?? (input.reference ? spread(input.reference.features, BACKGROUND_ROWS) : null);
    if (background?.length)
      await putJson(store, artifactKey(input.orgId, model.id, version, 'background.json'), {
        featureNames: input.featureNames,
        rows: background,
      });
    if (input.reference)
      await putJson(store, artifactKey(input.orgId, model.id, version, 'reference.json'), {
        featureNames: input.featureNames,
        ...input.reference,
      });
    try {
      return await db.modelVersion.create({
        data: {
          orgId: input.orgId,
          modelId: model.id,
          version,
          kind: input.kind,
          experimentRunId: input.experimentRunId ?? null,
          featureNames: input.featureNames,
          metrics: input.metrics,
          threshold: input.threshold ?? null,
          onnxKey,
          sidecarKey,
          tfjsKey,
          inputShape: input.inputShape,
          outputShape: input.outputShape,
          createdById: input.createdById ?? null,
        },
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002' && attempt < 5) continue;
      throw err;
    }
  }
}
