import { Prisma, type PrismaClient } from '@prisma/client';
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import { FEATURE_SET } from '../contracts/features';
import { trainingParamsSchema } from '../contracts/training';
import { artifactKey, getObject } from '../models/registry';
import { childLogger } from '../observability/logger';
import { objectStore, type ObjectStore } from '../store/object-store';
import { createTrainingJob } from '../training/jobs';
import { DriftReference, type DriftWindow } from './report';

const log = childLogger('drift');

/** What a drifting dataset does to its model: tell, retrain, or retrain and promote behind a gate. */
export const DRIFT_POLICIES = ['notify', 'retrain', 'retrain-and-gate-promote'] as const;
export const driftPolicySchema = z.enum(DRIFT_POLICIES);
export type DriftPolicy = z.infer<typeof driftPolicySchema>;

/** Served rows read per query, and at most this many per check (the newest are kept). */
const PAGE = 20_000;
export const MAX_CHECK_ROWS = 1_000_000;

export const referenceFileSchema = z.object({
  featureNames: z.array(z.string()),
  features: z.array(z.array(z.number().nullable())).min(1),
  predictions: z.array(z.number()).optional(),
});

export class DriftInputError extends Error {}

/**
 * One drift check: the model's production version (else its latest), its reference from
 * registration, and the feature windows its org's vehicles produced in [from, to) (the
 * offline store holds exactly what the streaming path scored), sketched and tested; the report
 * is stored, and a drifting dataset starts the model's policy: "retrain" queues a training job
 * like the one that trained the version.
 */
export async function runDriftCheck(
  db: PrismaClient,
  input: { orgId: string; modelId: string; from: Date; to: Date },
  deps: { store?: ObjectStore; boss?: PgBoss } = {},
) {
  const model = await db.registeredModel.findFirst({ where: { id: input.modelId, orgId: input.orgId } });
  if (!model) throw new DriftInputError('Model not found');
  const alias = await db.modelAlias.findUnique({
    where: { modelId_name: { modelId: model.id, name: 'production' } },
  });
  const version = await db.modelVersion.findFirst({
    where: { orgId: input.orgId, modelId: model.id, ...(alias ? { id: alias.versionId } : {}) },
    orderBy: { version: 'desc' },
  });
  if (!version) throw new DriftInputError(`Model '${model.name}' has no version`);
  const bytes = await getObject(
    deps.store ?? objectStore(),
    artifactKey(input.orgId, model.id, version.version, 'reference.json'),
  );
  if (!bytes)
    throw new DriftInputError(
      `Version ${version.version} of '${model.name}' has no reference (registered before drift)`,
    );
  const file = referenceFileSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  const reference = new DriftReference(file.featureNames, file.features, file.predictions ?? null);

  // The model's features as positions in the feature set's value arrays.
  const setIndex = new Map<string, number>(FEATURE_SET.names.map((n, i) => [n, i]));
  const index = file.featureNames.map((n) => setIndex.get(n) ?? -1);
  if (index.some((i) => i < 0))
    throw new DriftInputError(`Model '${model.name}' uses features outside feature set ${FEATURE_SET.version}`);

  const window = reference.window();
  const row = new Array<number | null>(index.length);
  let rows = 0;
  let cursor: { runId: string; vehicleId: string; windowStart: number; windowSize: number } | undefined;
  while (rows < MAX_CHECK_ROWS) {
    // Raw SQL: a feature a window had no data for is a NULL element, which Prisma's Float[]
    // mapping throws on. Keyset pages in primary-key order.
    const after = cursor
      ? Prisma.sql`AND ("runId", "vehicleId", "windowStart", "windowSize") > (${cursor.runId}, ${cursor.vehicleId}, ${cursor.windowStart}, ${cursor.windowSize})`
      : Prisma.empty;
    const page = await db.$queryRaw<
      { runId: string; vehicleId: string; windowStart: number; windowSize: number; values: (number | null)[] }[]
    >`
      SELECT "runId", "vehicleId", "windowStart", "windowSize", "values" FROM "FeatureWindow"
      WHERE "orgId" = ${input.orgId} AND kind = 'tumbling' AND "featureSetVersion" = ${FEATURE_SET.version}
        AND "updatedAt" >= ${input.from} AND "updatedAt" < ${input.to} ${after}
      ORDER BY "runId", "vehicleId", "windowStart", "windowSize"
      LIMIT ${PAGE}`;
    for (const w of page) {
      for (let j = 0; j < index.length; j++) row[j] = w.values[index[j]!] ?? null;
      window.add(row);
      rows++;
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1]!;
    cursor = {
      runId: last.runId,
      vehicleId: last.vehicleId,
      windowStart: last.windowStart,
      windowSize: last.windowSize,
    };
  }
  return storeDriftReport(
    db,
    { orgId: input.orgId, model, version, from: input.from, to: input.to, rows },
    window.report(),
    deps,
  );
}

/**
 * Stores a report and applies the model's policy: with a drifting dataset, "retrain" queues a
 * training job like the one that trained the version ("retrain-and-gate-promote" tags it so the
 * finished version is promoted behind the metric gate). Shared by the offline-store check above
 * and the serving-window job (job.ts).
 */
export async function storeDriftReport(
  db: PrismaClient,
  input: {
    orgId: string;
    model: { id: string; name: string; driftPolicy: string };
    version: { id: string; version: number };
    from: Date;
    to: Date;
    rows: number;
  },
  report: ReturnType<DriftWindow['report']>,
  deps: { boss?: PgBoss } = {},
) {
  const { model, version } = input;
  const policy = driftPolicySchema.catch('notify').parse(model.driftPolicy);

  let retrainJobId: string | null = null;
  if (report.datasetDrift && policy !== 'notify') {
    const trainedBy = await db.trainingJob.findFirst({
      where: { orgId: input.orgId, modelVersionId: version.id },
      orderBy: { createdAt: 'desc' },
    });
    if (trainedBy) {
      const job = await createTrainingJob(
        db,
        {
          orgId: input.orgId,
          request: {
            datasetVersionId: trainedBy.datasetVersionId,
            kind: trainedBy.kind as 'autoencoder',
            modelName: model.name,
            params: trainingParamsSchema.catch({}).parse(trainedBy.params),
            tags: ['drift-retrain', ...(policy === 'retrain-and-gate-promote' ? ['gate-promote'] : [])],
            maxAttempts: 2,
          },
          createdById: null,
        },
        deps.boss,
      );
      retrainJobId = job.id;
    } else log.warn({ model: model.name, version: version.version }, 'drift: no training job to repeat');
  }
  return db.driftReport.create({
    data: {
      orgId: input.orgId,
      modelId: model.id,
      modelVersionId: version.id,
      windowStart: input.from,
      windowEnd: input.to,
      rows: input.rows,
      datasetDrift: report.datasetDrift,
      driftedShare: report.driftedShare,
      report: JSON.parse(
        JSON.stringify(report, (_: string, v: unknown) => (v === Infinity ? null : v)),
      ) as Prisma.InputJsonValue,
      policy,
      retrainJobId,
    },
  });
}
