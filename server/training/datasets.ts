import type { Prisma, PrismaClient } from '@prisma/client';
import { FEATURE_SET } from '../contracts/features';
import { offlineDatasetSpecSchema, type OfflineDatasetSpec, type UploadOptions } from '../contracts/training';
import { getObject, putObject } from '../models/registry';
import { objectStore, type ObjectStore } from '../store/object-store';
import { encodeDataset, fingerprintOf, type MaterialisedDataset } from './materialised';
import { buildOfflineDataset, loadOfflineRows, resolveRuns } from './offline-dataset';
import { decodeTextTable, parseUpload } from './upload-dataset';
import { AppError } from '../errors';

/** Object-store layout of dataset versions: datasets/<orgId>/<datasetId>/v<version>/<file>. */
function datasetKey(orgId: string, datasetId: string, version: number, file: string): string {
  return `datasets/${orgId}/${datasetId}/v${version}/${file}`;
}

type Db = Pick<PrismaClient, 'dataset' | 'datasetVersion' | 'run' | 'campaign' | 'runEvent' | '$queryRaw'>;

interface SaveInput {
  orgId: string;
  name: string;
  description?: string;
  source: 'offline' | 'upload';
  spec: Record<string, unknown>;
  dataset: MaterialisedDataset;
  stats: Record<string, unknown>;
  createdById?: string | null;
  /** Extra files kept beside the rows (the uploaded original). */
  extra?: { file: string; bytes: Uint8Array }[];
}

async function saveVersion(db: Db, store: ObjectStore, input: SaveInput) {
  if (input.dataset.rows === 0)
    throw new AppError(
      'BAD_REQUEST',
      'The dataset has no rows: no windows matched (are the runs finished and their features computed?)',
    );
  const existing = await db.dataset.findUnique({ where: { orgId_name: { orgId: input.orgId, name: input.name } } });
  if (existing && existing.source !== input.source)
    throw new AppError('BAD_REQUEST', `Dataset "${input.name}" holds ${existing.source} versions; choose another name`);
  // The increment is atomic, so two builds of one dataset get different version numbers.
  const ds = await db.dataset.upsert({
    where: { orgId_name: { orgId: input.orgId, name: input.name } },
    create: {
      orgId: input.orgId,
      name: input.name,
      description: input.description ?? null,
      source: input.source,
      latestVersion: 1,
      createdById: input.createdById ?? null,
    },
    update: { latestVersion: { increment: 1 }, ...(input.description ? { description: input.description } : {}) },
  });
  const version = ds.latestVersion;
  const dataKey = datasetKey(input.orgId, ds.id, version, 'data.bin');
  await putObject(store, dataKey, encodeDataset(input.dataset));
  const files: Record<string, string> = { data: dataKey };
  for (const x of input.extra ?? []) {
    const key = datasetKey(input.orgId, ds.id, version, x.file);
    await putObject(store, key, x.bytes);
    files[x.file] = key;
  }
  const d = input.dataset;
  return db.datasetVersion.create({
    data: {
      orgId: input.orgId,
      datasetId: ds.id,
      version,
      spec: input.spec as Prisma.InputJsonValue,
      fingerprint: fingerprintOf(d),
      featureNames: d.featureNames,
      labelKind: d.labelKind,
      labelName: d.labelName,
      classes: d.classes,
      groupBy: d.groupBy,
      rowCount: d.rows,
      groupCount: new Set(d.groups).size,
      stats: { ...input.stats, files },
      dataKey,
      createdById: input.createdById ?? null,
    },
  });
}

/** A new version of an offline-store dataset: the chosen runs' windows, labelled by fault events. */
export async function createOfflineDatasetVersion(
  db: Db,
  input: { orgId: string; name: string; description?: string; spec: OfflineDatasetSpec; createdById?: string | null },
  store: ObjectStore = objectStore(),
) {
  const runIds = await resolveRuns(db as PrismaClient, input.orgId, input.spec);
  const { windows, events } = await loadOfflineRows(db as PrismaClient, input.orgId, input.spec, runIds);
  const { dataset, stats } = buildOfflineDataset(input.spec, FEATURE_SET.names, windows, events);
  return saveVersion(db, store, {
    orgId: input.orgId,
    name: input.name,
    description: input.description,
    source: 'offline',
    // The resolved run list is recorded, so the version says exactly which runs it holds.
    spec: { ...input.spec, resolvedRunIds: runIds },
    dataset,
    stats: { ...stats },
    createdById: input.createdById,
  });
}

/** A new version from an uploaded file; the original is kept beside the rows. */
export async function createUploadDatasetVersion(
  db: Db,
  input: { orgId: string; fileName: string; bytes: Uint8Array; options: UploadOptions; createdById?: string | null },
  store: ObjectStore = objectStore(),
) {
  const { dataset, stats } = parseUpload(decodeTextTable(input.bytes), input.options);
  const { name, description, ...rest } = input.options;
  return saveVersion(db, store, {
    orgId: input.orgId,
    name,
    description,
    source: 'upload',
    spec: { source: 'upload', fileName: input.fileName, bytes: input.bytes.byteLength, ...rest },
    dataset,
    stats: { ...stats, columns: stats.columns.length },
    createdById: input.createdById,
    extra: [{ file: 'source.txt', bytes: input.bytes }],
  });
}

/**
 * The next version of a dataset from the newest data, for scheduled retraining: an offline
 * dataset re-reads its campaign (new runs included) or runs; an upload is re-materialised from
 * its kept original.
 */
export async function rebuildDataset(db: Db, orgId: string, datasetId: string, store: ObjectStore = objectStore()) {
  const ds = await db.dataset.findFirst({
    where: { id: datasetId, orgId },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  const latest = ds?.versions[0];
  if (!ds || !latest) throw new AppError('NOT_FOUND', 'Dataset not found');
  const raw = latest.spec as Record<string, unknown>;
  if (ds.source === 'offline') {
    const { resolvedRunIds: _ignored, ...spec } = raw;
    return createOfflineDatasetVersion(
      db,
      { orgId, name: ds.name, spec: offlineDatasetSpecSchema.parse(spec), createdById: null },
      store,
    );
  }
  const files = (latest.stats as { files?: Record<string, string> }).files ?? {};
  const bytes = files['source.txt'] ? await getObject(store, files['source.txt']) : null;
  if (!bytes) throw new AppError('BAD_REQUEST', 'The uploaded original of this dataset is missing');
  const { source: _s, fileName, bytes: _b, ...options } = raw as Record<string, unknown> & { fileName: string };
  return createUploadDatasetVersion(
    db,
    // The stored options were validated (uploadOptionsSchema) when the version was first built.
    { orgId, fileName, bytes, options: { ...(options as UploadOptions), name: ds.name }, createdById: null },
    store,
  );
}
