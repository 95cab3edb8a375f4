import type { PrismaClient } from '@prisma/client';
import type { DeploymentPublisher } from '../models/aliases';
import { getJson } from '../models/registry';
import { childLogger } from '../observability/logger';
import type { ObjectStore } from '../store/object-store';
import { faultIntervals, overlappingFaults } from '../training/labels';
import type { FaultInterval } from '../training/materialised';
import { evaluateOutcomes } from './evaluate';

const log = childLogger('outcomes.ground-truth');

/** observedSource of labels derived from a simulated run's fault events. */
export const SIMULATION_SOURCE = 'simulation';

/** The observed outcome of one window for a model of this kind, or undefined when faults say nothing about it. */
export function faultOutcome(
  kind: string,
  classes: readonly string[] | null,
  faults: readonly FaultInterval[],
): { observed: number | null; observedLabel: string | null } | undefined {
  if (kind === 'autoencoder') return { observed: faults.length > 0 ? 1 : 0, observedLabel: null };
  if (kind === 'mlp-classifier' && classes && classes.includes('normal')) {
    if (faults.length === 0) return { observed: null, observedLabel: 'normal' };
    // A fault-type classifier names the fault; a binary one says "fault".
    const named = faults.find((f) => classes.includes(f.faultType));
    if (named) return { observed: null, observedLabel: named.faultType };
    return classes.includes('fault') ? { observed: null, observedLabel: 'fault' } : undefined;
  }
  // A regressor's target (e.g. services left) is not a fault flag: fault events do not label it.
  return undefined;
}

export interface LabelFromFaultsOptions {
  /** Only windows that ended by this event time (seconds): what is known so far. Default: all. */
  upTo?: number;
  vehicleId?: string;
  /** Where classifier sidecars are read (their class names); without it classifiers are skipped. */
  store?: ObjectStore;
  publish?: DeploymentPublisher;
}

const classesCache = new Map<string, string[] | null>();

async function classesOf(db: PrismaClient, store: ObjectStore | undefined, versionId: string) {
  if (classesCache.has(versionId)) return classesCache.get(versionId)!;
  let classes: string[] | null = null;
  const row = await db.modelVersion.findUnique({ where: { id: versionId }, select: { sidecarKey: true } });
  if (store && row?.sidecarKey) {
    const sidecar = (await getJson(store, row.sidecarKey)) as { classes?: unknown } | null;
    if (Array.isArray(sidecar?.classes)) classes = sidecar.classes.map(String);
  }
  if (classesCache.size > 1000) classesCache.clear();
  classesCache.set(versionId, classes);
  return classes;
}

/**
 * Simulated runs feed their own ground truth: the predictions served for a run's vehicles (each
 * with its event-time window) are labelled from the run's fault_start/fault_end events, as
 * training labels are (server/training/labels.ts: a window overlapping a fault interval is
 * faulty). Idempotent and recomputed on every call, so a label given before a later fault event
 * was known is corrected; labels given through POST /api/v1/feedback are never overwritten.
 * Returns the rows labelled and re-evaluates each alias they were served under (which may roll a
 * clearly worse canary back, as feedback does).
 */
export async function labelFromFaults(
  db: PrismaClient,
  orgId: string,
  runId: string,
  o: LabelFromFaultsOptions = {},
): Promise<number> {
  const events = await db.runEvent.findMany({
    where: {
      orgId,
      runId,
      type: { in: ['fault_start', 'fault_end'] },
      ...(o.vehicleId ? { vehicleId: o.vehicleId } : {}),
    },
    select: { runId: true, vehicleId: true, t: true, type: true, data: true },
  });
  const bySegment = new Map<string, FaultInterval[]>();
  for (const f of faultIntervals(events)) {
    const list = bySegment.get(f.segment) ?? [];
    list.push(f);
    bySegment.set(f.segment, list);
  }
  const rows = await db.servedPrediction.findMany({
    where: {
      orgId,
      runId,
      ...(o.vehicleId ? { vehicleId: o.vehicleId } : {}),
      windowStart: { not: null },
      ...(o.upTo !== undefined ? { windowEnd: { lte: o.upTo } } : {}),
      OR: [{ observedSource: null }, { observedSource: SIMULATION_SOURCE }],
    },
    select: {
      id: true,
      modelId: true,
      modelVersionId: true,
      alias: true,
      vehicleId: true,
      windowStart: true,
      windowEnd: true,
      observed: true,
      observedLabel: true,
    },
  });
  if (rows.length === 0) return 0;
  const kinds = new Map(
    (
      await db.registeredModel.findMany({
        where: { orgId, id: { in: [...new Set(rows.map((r) => r.modelId))] } },
        select: { id: true, kind: true },
      })
    ).map((m) => [m.id, m.kind]),
  );
  // Rows grouped by the label they get, so each distinct label is one update.
  const updates = new Map<string, { observed: number | null; observedLabel: string | null; ids: string[] }>();
  const aliases = new Set<string>();
  for (const r of rows) {
    const kind = kinds.get(r.modelId);
    if (!kind) continue;
    const classes = kind === 'mlp-classifier' ? await classesOf(db, o.store, r.modelVersionId) : null;
    const faults = overlappingFaults(bySegment.get(`${runId}/${r.vehicleId}`) ?? [], r.windowStart!, r.windowEnd!);
    const outcome = faultOutcome(kind, classes, faults);
    if (!outcome) continue;
    if (outcome.observed === r.observed && outcome.observedLabel === r.observedLabel) continue;
    const key = `${outcome.observed}\u0000${outcome.observedLabel}`;
    const u = updates.get(key) ?? { ...outcome, ids: [] };
    u.ids.push(r.id);
    updates.set(key, u);
    if (r.alias) aliases.add(`${r.modelId}\u0000${r.alias}`);
  }
  let labelled = 0;
  const now = new Date();
  for (const u of updates.values()) {
    for (let i = 0; i < u.ids.length; i += 5000) {
      const { count } = await db.servedPrediction.updateMany({
        where: { orgId, id: { in: u.ids.slice(i, i + 5000) } },
        data: {
          observed: u.observed,
          observedLabel: u.observedLabel,
          observedAt: now,
          observedSource: SIMULATION_SOURCE,
        },
      });
      labelled += count;
    }
  }
  for (const key of aliases) {
    const [modelId, alias] = key.split('\u0000') as [string, string];
    await evaluateOutcomes(db, orgId, modelId, alias, o.publish).catch((err: unknown) =>
      log.warn({ err, modelId, alias }, 'outcomes not evaluated after simulated labels'),
    );
  }
  if (labelled > 0) log.info({ orgId, runId, vehicleId: o.vehicleId, labelled }, 'predictions labelled from faults');
  return labelled;
}
