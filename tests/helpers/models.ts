import type { Kafka } from 'kafkajs';
import { FEATURE_SET } from '~/server/contracts/features';
import { modelDeploymentChangedSchema, type ModelDeploymentChanged } from '~/server/contracts/models';
import { db } from '~/server/db';
import { topic } from '~/server/kafka/client';
import { createProducer } from '~/server/kafka/client';
import { encodeMessage } from '~/server/kafka/messages';
import { TOPICS } from '~/server/kafka/topics';
import { registerModelVersion } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { selectBackend } from '~/workers/trainer/backend';
import type { Matrix } from '~/workers/trainer/datasets/types';
import { trainAutoencoder } from '~/workers/trainer/models/autoencoder';
import { exportOnnx } from '~/workers/trainer/onnx/export';
import { seededRandom } from '~/server/random';

/**
 * Real models for inference tests: a small autoencoder trained with the trainer core on synthetic
 * feature windows (three latent factors behind the 32 features of FEATURE_SET v1, offset and
 * scaled like the real readings), exported to ONNX and registered like the trainer does.
 */
export const FEATURES: string[] = [...FEATURE_SET.names];

function gaussian(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const loadings = (() => {
  const g = gaussian(7);
  return FEATURES.map(() => [g(), g(), g()]);
})();
const offsets = FEATURES.map((_, j) => 10 + 7 * ((j * 37) % 11));
const scales = FEATURES.map((_, j) => 0.5 + ((j * 13) % 5));

/** Rows of feature values; `fault` pushes six features far off the normal manifold. */
export function featureRows(seed: number, n: number, fault = false): number[][] {
  const g = gaussian(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const z = [g(), g(), g()];
    rows.push(
      FEATURES.map((_, j) => {
        const l = loadings[j]!;
        let v = l[0]! * z[0]! + l[1]! * z[1]! + l[2]! * z[2]! + 0.05 * g();
        if (fault && j % 5 === 0) v += 8;
        return offsets[j]! + scales[j]! * v;
      }),
    );
  }
  return rows;
}

function matrix(rows: number[][]): Matrix {
  return { values: Float32Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}

export async function trainFeatureAutoencoder(
  seed: number,
  options: { rows?: number; epochs?: number; trainRows?: number[][] } = {},
) {
  await selectBackend({ exclude: ['webgpu'] });
  const train = options.trainRows ?? featureRows(seed, options.rows ?? 600);
  const validation = featureRows(seed + 1000, 200);
  const trained = await trainAutoencoder({
    train: matrix(train),
    validation: matrix(validation),
    featureNames: FEATURES,
    hyperparameters: { seed },
    fit: { epochs: options.epochs ?? 25, batchSize: 64, patience: 5 },
  });
  const { bytes, sidecar } = exportOnnx(trained);
  return { bytes, sidecar, threshold: trained.threshold };
}

/** Trains and registers one version of an org's autoencoder model. */
export async function registerAutoencoder(
  orgId: string,
  modelName: string,
  seed: number,
  options: { trainRows?: number[][]; epochs?: number } = {},
) {
  const t = await trainFeatureAutoencoder(seed, options);
  return registerModelVersion(
    db,
    {
      orgId,
      modelName,
      kind: 'autoencoder',
      featureNames: FEATURES,
      metrics: { threshold: t.threshold },
      threshold: t.threshold,
      onnx: t.bytes,
      sidecar: t.sidecar,
      inputShape: [FEATURES.length],
      outputShape: [FEATURES.length],
    },
    objectStore(),
  );
}

/** Points an alias at a version (and optionally a canary), as the registry UI does. */
export async function setAlias(
  orgId: string,
  modelId: string,
  alias: string,
  versionId: string,
  canary: { versionId: string; weight: number } | null = null,
) {
  return db.modelAlias.upsert({
    where: { modelId_name: { modelId, name: alias } },
    create: {
      orgId,
      modelId,
      name: alias,
      versionId,
      canaryVersionId: canary?.versionId ?? null,
      canaryWeight: canary?.weight ?? 0,
    },
    update: { versionId, canaryVersionId: canary?.versionId ?? null, canaryWeight: canary?.weight ?? 0 },
  });
}

export async function announce(
  kafka: Kafka,
  prefix: string,
  m: Omit<ModelDeploymentChanged, 'v' | 'at'>,
): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const value = modelDeploymentChangedSchema.parse({ v: 1, at: Date.now(), ...m });
    await producer.send({
      topic: topic(TOPICS.models, prefix),
      messages: [{ key: m.modelId, value: encodeMessage(value) }],
    });
  } finally {
    await producer.disconnect();
  }
}
