/**
 * The models `npm run demo` deploys, so that a fresh demo shows models working:
 *
 * - `vehicle_maintenance`: a dataset of engine_temp and vibration readings of vehicles wearing out
 *   towards their next service (label `service_in`, service intervals left). Synthetic, but from
 *   the simulator's physics: each vehicle's coolant temperature drifts up as its cooling degrades
 *   and its tyres lose balance, and vibration is the simulator's own accelerometer model
 *   (workers/sim/vibration.ts) applied to that state, with the sensor's noise.
 * - `maintenance_predictor`: an mlp-regressor trained on it by the trainer's own job runner (the
 *   job row, experiment run, ONNX export, reference sample and importance are all the real ones),
 *   deployed as `production`: POST /api/v1/models/predict with engine_temp and vibration works.
 * - `Demo anomaly detector`: an autoencoder trained on the tumbling feature windows of simulated
 *   runs of the demo scenario without its fault, deployed as `production`, so the demo run's
 *   anomaly lane is scored from its first window and the overheating engine raises alerts.
 *
 * Idempotent: what already exists (a production alias of either model) is left as it is.
 */
import type { PrismaClient } from '@prisma/client';
import { demoScenarioSpec } from '../../prisma/seed';
import { generateApiKey } from '../../server/auth/tokens';
import { FEATURE_SET, type FeatureName } from '../../server/contracts/features';
import { trainingJobRequestSchema, uploadOptionsSchema } from '../../server/contracts/training';
import { moveAlias, publishDeployment, type DeploymentPublisher } from '../../server/models/aliases';
import { registerModelVersion } from '../../server/models/registry';
import { seededRandom } from '../../server/random';
import { objectStore } from '../../server/store/object-store';
import { createUploadDatasetVersion } from '../../server/training/datasets';
import { createTrainingJob } from '../../server/training/jobs';
import { createWindowOperator } from '../../workers/features';
import { runScenario } from '../../workers/sim';
import { vibrationRms } from '../../workers/sim/vibration';
import { selectBackend } from '../../workers/trainer/backend';
import { runTrainingJob } from '../../workers/trainer/job-runner';
import { binaryMetrics } from '../../workers/trainer/metrics';
import { trainAutoencoder } from '../../workers/trainer/models/autoencoder';
import { predict } from '../../workers/trainer/models/predict';
import { exportOnnx } from '../../workers/trainer/onnx/export';

export const MAINTENANCE_DATASET = 'vehicle_maintenance';
export const MAINTENANCE_MODEL = 'maintenance_predictor';
export const ANOMALY_MODEL = 'Demo anomaly detector';
/** The features the demo's anomaly detector watches: what an overheating engine, a leak or brake fade move. */
export const ANOMALY_FEATURES: FeatureName[] = [
  'speed_mean',
  'accel_lon_std',
  'engine_temp_mean',
  'engine_temp_slope',
  'brake_pressure_max',
  'battery_temp_mean',
  'tire_pressure_min',
  'vibration_mean',
];
const DEMO_KEY_NAME = 'demo predict key';

/** vehicles × readings of (engine_temp, vibration) as each vehicle nears its service. */
export function maintenanceCsv(vehicles = 12, readings = 60, seed = 11): string {
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const lines = ['vehicle,t,engine_temp,vibration,service_in'];
  for (let v = 0; v < vehicles; v++) {
    const speed = 22 + 6 * rand();
    for (let t = 0; t < readings; t++) {
      const wear = t / (readings - 1);
      // Cooling degrades and a tyre loses pressure as the service nears.
      const engineTemp = 84 + 22 * wear * wear + normal() * 0.6;
      const tyres = [232, 232, 232 - 50 * wear, 232] as const;
      const vibration =
        vibrationRms({ speed, rpm: 2200, engineTemp, tyres, brake: 0, brakeTemp: 90 }) * (1 + 0.03 * normal());
      lines.push(`v${v},${t},${engineTemp.toFixed(3)},${vibration.toFixed(4)},${readings - 1 - t}`);
    }
  }
  return lines.join('\n');
}

/** Tumbling-window feature rows of simulated runs of the demo scenario with its fault removed. */
export function normalWindows(seeds: number[], durationS: number): number[][] {
  const idx = ANOMALY_FEATURES.map((f) => FEATURE_SET.names.indexOf(f));
  const rows: number[][] = [];
  for (const seed of seeds) {
    const spec = { ...demoScenarioSpec(), seed, durationS, faults: [] };
    const op = createWindowOperator({ sliding: null });
    let offset = 0;
    const take = (ws: readonly { kind: string; values: (number | null)[] }[]) => {
      for (const w of ws) {
        if (w.kind !== 'tumbling') continue;
        const row = idx.map((i) => w.values[i]);
        // Rows with a dropped-out channel are left out of training; serving imputes them.
        if (row.every((x): x is number => x !== null && Number.isFinite(x))) rows.push(row);
      }
    };
    for (const step of runScenario(spec, { orgId: 'demo', runId: `normal-${seed}`, clock: () => 0 }))
      for (const f of step.frames) take(op.ingest(f, { partition: 0, offset: offset++ }, 0).emitted);
    take(op.flush(0).emitted);
  }
  return rows;
}

async function hasProduction(db: PrismaClient, orgId: string, name: string): Promise<boolean> {
  const a = await db.modelAlias.findFirst({ where: { orgId, name: 'production', model: { orgId, name } } });
  return a !== null;
}

async function seedMaintenance(db: PrismaClient, orgId: string, userId: string, publish: DeploymentPublisher) {
  if (await hasProduction(db, orgId, MAINTENANCE_MODEL)) return;
  const version = await createUploadDatasetVersion(db, {
    orgId,
    fileName: 'vehicle_maintenance.csv',
    bytes: new TextEncoder().encode(maintenanceCsv()),
    options: uploadOptionsSchema.parse({
      name: MAINTENANCE_DATASET,
      groupColumn: 'vehicle',
      orderColumn: 't',
      groupKind: 'vehicle',
      label: { type: 'column', column: 'service_in', kind: 'regression' },
    }),
    createdById: userId,
  });
  const job = await createTrainingJob(db, {
    orgId,
    createdById: userId,
    request: trainingJobRequestSchema.parse({
      datasetVersionId: version.id,
      kind: 'mlp-regressor',
      modelName: MAINTENANCE_MODEL,
      params: { epochs: 60, patience: 60 },
    }),
  });
  // Trained here, by the trainer's job runner, so the model is deployed before the demo run
  // starts; the trainer process later finds the queued copy finished and skips it.
  const outcome = await runTrainingJob(
    {
      db,
      store: objectStore(),
      backend: await selectBackend(),
      workerId: 'demo-seed',
      publish: async () => undefined,
      stopping: new AbortController().signal,
      heartbeatMs: 10_000,
    },
    job.id,
  );
  const done = await db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
  if (outcome !== 'completed' || !done.modelVersionId)
    throw new Error(`training ${MAINTENANCE_MODEL} ended ${outcome}: ${done.error ?? 'no version'}`);
  const model = await db.registeredModel.findFirstOrThrow({ where: { orgId, name: MAINTENANCE_MODEL } });
  await moveAlias(
    db,
    { orgId, actor: { userId, label: 'demo seed' } },
    { action: 'promote', modelId: model.id, alias: 'production', versionId: done.modelVersionId },
    publish,
  );
}

async function seedAnomaly(db: PrismaClient, orgId: string, userId: string, publish: DeploymentPublisher) {
  if (await hasProduction(db, orgId, ANOMALY_MODEL)) return;
  await selectBackend();
  const rows = normalWindows([101, 102, 103], 120);
  const cols = ANOMALY_FEATURES.length;
  const split = Math.floor(rows.length * 0.8);
  const matrix = (rs: number[][]) => ({ values: Float32Array.from(rs.flat()), rows: rs.length, cols });
  const trained = await trainAutoencoder({
    train: matrix(rows.slice(0, split)),
    validation: matrix(rows.slice(split)),
    featureNames: ANOMALY_FEATURES,
    hyperparameters: { seed: 7 },
    fit: { epochs: 40, batchSize: 64, patience: 8 },
  });
  try {
    const held = rows.slice(split);
    const out = predict(trained, matrix(held));
    // Held-out normal windows: the share the threshold lets through is the false-alarm rate.
    const m = binaryMetrics(
      held.map(() => 0),
      out.anomaly!,
    );
    const { bytes, sidecar } = exportOnnx(trained, {
      metadata: { 'drivelab.dataset_name': 'demo scenario, no fault' },
    });
    const v = await registerModelVersion(db, {
      orgId,
      modelName: ANOMALY_MODEL,
      kind: 'autoencoder',
      featureNames: ANOMALY_FEATURES,
      metrics: { false_alarm_rate: 1 - m.accuracy, val_loss: trained.training.bestValLoss },
      threshold: trained.threshold,
      onnx: bytes,
      sidecar,
      inputShape: [cols],
      outputShape: [1],
      background: held.slice(0, 100),
      createdById: userId,
      description: 'Autoencoder over 1 s feature windows of normal simulated driving; flags windows that leave it.',
    });
    await moveAlias(
      db,
      { orgId, actor: { userId, label: 'demo seed' } },
      { action: 'promote', modelId: v.modelId, alias: 'production', versionId: v.id },
      publish,
    );
  } finally {
    trained.model.dispose();
  }
}

/** An engineer API key for the demo's curl (engineer: it can predict and send feedback). */
async function demoApiKey(db: PrismaClient, orgId: string): Promise<string> {
  // Only the hash is stored, so a rerun replaces the key it cannot read back.
  await db.apiKey.deleteMany({ where: { orgId, name: DEMO_KEY_NAME } });
  const k = generateApiKey();
  await db.apiKey.create({ data: { orgId, name: DEMO_KEY_NAME, prefix: k.prefix, hash: k.hash, role: 'engineer' } });
  return k.key;
}

export function predictCurl(baseUrl: string, apiKey: string): string {
  const body = JSON.stringify({ model: MAINTENANCE_MODEL, features: { engine_temp: 85, vibration: 0.3 } });
  return `curl -s -X POST ${baseUrl}/api/v1/models/predict -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' -d '${body}'`;
}

export async function seedDemoModels(
  db: PrismaClient,
  ids: { orgId: string; userId: string },
  publish: DeploymentPublisher = publishDeployment,
): Promise<{ apiKey: string }> {
  await seedMaintenance(db, ids.orgId, ids.userId, publish);
  await seedAnomaly(db, ids.orgId, ids.userId, publish);
  return { apiKey: await demoApiKey(db, ids.orgId) };
}
