import type { ObjectInfo, ObjectStore } from './object-store';

/**
 * Where run recordings live in the object store: one MCAP file per run, under its org, so that a
 * listing or a download is scoped by orgId like every other tenant-owned thing.
 */
const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

function checkId(what: string, id: string): string {
  // Ids become path segments: refuse anything that could escape the org's folder.
  if (!SAFE_ID.test(id) || id === '.' || id === '..') throw new Error(`invalid ${what}: ${id}`);
  return id;
}

export function recordingKey(orgId: string, runId: string): string {
  return `recordings/${checkId('orgId', orgId)}/${checkId('runId', runId)}.mcap`;
}

export interface RecordingInfo {
  runId: string;
  key: string;
  size: number;
  modifiedAt: Date;
}

/** The finished recordings of one org (files being written are not listed). */
export async function listRecordings(store: ObjectStore, orgId: string): Promise<RecordingInfo[]> {
  const files: ObjectInfo[] = await store.list(`recordings/${checkId('orgId', orgId)}/`);
  return files
    .filter((f) => f.key.endsWith('.mcap'))
    .map((f) => ({
      runId: f.key.slice(f.key.lastIndexOf('/') + 1, -'.mcap'.length),
      key: f.key,
      size: f.size,
      modifiedAt: f.modifiedAt,
    }));
}
