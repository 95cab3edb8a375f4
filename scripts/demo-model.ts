/**
 * Registers real model versions without the training pipeline: a small autoencoder trained with
 * the trainer core on synthetic telemetry-like rows (a few features on a low-dimensional plane,
 * anomalies leave it), evaluated on held-out rows, exported to ONNX and registered with
 * registerModelVersion. Used by the registry tests, the models e2e spec, and for a demo:
 *
 *   npx tsx scripts/demo-model.ts --org demo --name "Demo anomaly detector" --versions 2
 *
 * It prints one JSON line: {"org":…,"modelId":…,"versions":[{"id":…,"version":…,"metrics":…}]}.
 */
import type { PrismaClient } from '@prisma/client';
import { registerModelVersion } from '../server/models/registry';
import { selectBackend } from '../workers/trainer/backend';
import { datasetFingerprint } from '../server/training/fingerprint';
import type { Matrix } from '../workers/trainer/datasets/types';
import { binaryMetrics, rocAuc } from '../workers/trainer/metrics';
import { trainAutoencoder } from '../workers/trainer/models/autoencoder';
import { predict } from '../workers/trainer/models/predict';
import { exportOnnx } from '../workers/trainer/onnx/export';
import { seededRandom } from '../server/random';

export const DEMO_FEATURES = [
  'speed_mean',
  'accel_lon_std',
  'engine_temp_mean',
  'brake_pressure_max',
  'battery_temp_mean',
  'yaw_rate_std',
];
const OFFSETS = [27, 0.4, 92, 12, 31, 0.05];
const SCALES = [3, 0.1, 2, 4, 1.5, 0.02];

function gaussian(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Normal rows near a 2-D plane in 6-D; every anomaly pushes one feature 4σ off it. */
export function syntheticRows(seed: number, normal: number, anomalies: number): { x: Matrix; isAnomaly: number[] } {
  const g = gaussian(seed);
  const values: number[] = [];
  const isAnomaly: number[] = [];
  for (let i = 0; i < normal + anomalies; i++) {
    const a = g();
    const b = g();
    const z = [a, b, a + b, a - b, 0.5 * a, -b].map((v) => v + 0.05 * g());
    if (i >= normal) z[i % 6] = z[i % 6]! + (g() > 0 ? 4 : -4);
    values.push(...z.map((v, k) => OFFSETS[k]! + SCALES[k]! * v));
    isAnomaly.push(i >= normal ? 1 : 0);
  }
  return { x: { values: Float32Array.from(values), rows: normal + anomalies, cols: 6 }, isAnomaly };
}

export interface DemoVersionOptions {
  orgId: string;
  modelName: string;
  /** Fewer epochs give a weaker model: tests use this to get versions of different quality. */
  epochs: number;
  seed?: number;
  createdById?: string | null;
}

export async function registerDemoVersion(db: PrismaClient, o: DemoVersionOptions) {
  await selectBackend();
  const seed = o.seed ?? 7;
  const train = syntheticRows(seed, 500, 0).x;
  const validation = syntheticRows(seed + 1, 200, 0).x;
  const test = syntheticRows(seed + 2, 200, 40);
  const trained = await trainAutoencoder({
    train,
    validation,
    featureNames: DEMO_FEATURES,
    hyperparameters: { seed },
    fit: { epochs: o.epochs, batchSize: 32, patience: o.epochs },
  });
  try {
    const out = predict(trained, test.x);
    const m = binaryMetrics(test.isAnomaly, out.anomaly!);
    const fingerprint = datasetFingerprint({ columns: DEMO_FEATURES, rows: train });
    const { bytes, sidecar } = exportOnnx(trained, {
      metadata: { 'drivelab.dataset_fingerprint': fingerprint, 'drivelab.dataset_name': `synthetic seed ${seed}` },
    });
    const metrics = {
      f1: m.f1,
      precision: m.precision,
      recall: m.recall,
      roc_auc: rocAuc(test.isAnomaly, out.score!),
      val_loss: trained.training.bestValLoss,
    };
    const version = await registerModelVersion(db, {
      orgId: o.orgId,
      modelName: o.modelName,
      kind: 'autoencoder',
      featureNames: DEMO_FEATURES,
      metrics,
      threshold: trained.threshold,
      onnx: bytes,
      sidecar: { ...sidecar, dataset: { name: `synthetic seed ${seed}`, fingerprint, rows: train.rows } },
      inputShape: [DEMO_FEATURES.length],
      outputShape: [1],
      createdById: o.createdById ?? null,
      description: 'Autoencoder over windowed vehicle features; flags windows that leave the normal manifold.',
    });
    return { version, onnx: bytes, sidecar };
  } finally {
    trained.model.dispose();
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createDb } = await import('../server/db');
  const db = createDb();
  try {
    const slug = arg('org') ?? 'demo';
    const org = await db.organization.findUnique({ where: { slug } });
    if (!org) throw new Error(`no organization with slug "${slug}"`);
    const count = Math.max(1, Math.min(10, Number(arg('versions') ?? 1)));
    const name = arg('name') ?? 'Demo anomaly detector';
    const versions = [];
    // Later versions train longer, so the metrics chart has something to show.
    for (let i = 0; i < count; i++) {
      const { version } = await registerDemoVersion(db, {
        orgId: org.id,
        modelName: name,
        epochs: 3 + i * 12,
        seed: 7 + i,
      });
      versions.push({ id: version.id, version: version.version, metrics: version.metrics });
    }
    console.log(
      JSON.stringify({
        org: slug,
        modelId: versions[0]
          ? (await db.modelVersion.findUniqueOrThrow({ where: { id: versions[0].id } })).modelId
          : null,
        versions,
      }),
    );
  } finally {
    await db.$disconnect();
  }
}
