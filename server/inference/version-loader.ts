import type { PrismaClient } from '@prisma/client';
import { getJson, getObject } from '../models/registry';
import type { ObjectStore } from '../store/object-store';
import { openVersion, type LoadVersionOptions, type VersionInfo, type VersionSession } from './version-session';

type Db = Pick<PrismaClient, 'modelVersion'>;

/** Reads a registered version (row, ONNX file, sidecar) and opens its session. */
export async function loadRegisteredVersion(
  db: Db,
  store: ObjectStore,
  versionId: string,
  o: LoadVersionOptions,
): Promise<VersionSession> {
  const row = await db.modelVersion.findUnique({
    where: { id: versionId },
    include: { model: { select: { name: true } } },
  });
  if (!row) throw new Error(`model version ${versionId} not found`);
  const onnx = await getObject(store, row.onnxKey);
  if (!onnx) throw new Error(`ONNX file ${row.onnxKey} of version ${versionId} is missing from the object store`);
  const sidecar = row.sidecarKey ? await getJson(store, row.sidecarKey) : null;
  const info: VersionInfo = {
    id: row.id,
    orgId: row.orgId,
    modelId: row.modelId,
    modelName: row.model.name,
    version: row.version,
    kind: row.kind,
    featureNames: row.featureNames,
    threshold: row.threshold,
    inputShape: row.inputShape.length > 0 ? row.inputShape : [row.featureNames.length],
  };
  return openVersion(info, onnx, sidecar, o);
}
