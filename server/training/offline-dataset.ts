import { Prisma, type PrismaClient } from '@prisma/client';
import { FEATURE_SET } from '../contracts/features';
import type { OfflineDatasetSpec } from '../contracts/training';
import { faultIntervals, intervalsBySegment, overlappingFaults, type FaultEventRow } from './labels';
import type { MaterialisedDataset } from './materialised';
import { AppError } from '../errors';

/** One offline-store window as read for a dataset. */
export interface WindowRow {
  runId: string;
  vehicleId: string;
  windowStart: number;
  windowEnd: number;
  values: (number | null)[];
}

export interface OfflineBuildStats {
  windows: number;
  runs: number;
  vehicles: number;
  faults: number;
  /** Rows per class name. */
  classCounts: Record<string, number>;
  droppedFeatures: string[];
  /** Windows left out because they overlap a fault type outside the chosen ones. */
  excludedWindows: number;
}

/**
 * Builds the dataset from windows and fault events (pure). Rows are ordered by run, vehicle and
 * window start; features missing in more than `maxMissingShare` of the rows are dropped, the rest
 * keep NaN for the trainer to impute from its training split.
 */
export function buildOfflineDataset(
  spec: OfflineDatasetSpec,
  featureNames: readonly string[],
  windows: readonly WindowRow[],
  events: readonly FaultEventRow[],
): { dataset: MaterialisedDataset; stats: OfflineBuildStats } {
  const faults = faultIntervals(events);
  const bySegment = intervalsBySegment(faults);
  const chosen = new Set<string>(spec.label.faultTypes);
  const counts = (c: string) => chosen.size === 0 || chosen.has(c);
  const rows = [...windows].sort(
    (a, b) => a.runId.localeCompare(b.runId) || a.vehicleId.localeCompare(b.vehicleId) || a.windowStart - b.windowStart,
  );

  const kept: { row: WindowRow; faultType: string | null }[] = [];
  let excluded = 0;
  for (const row of rows) {
    const over = overlappingFaults(
      bySegment.get(`${row.runId}/${row.vehicleId}`) ?? [],
      row.windowStart,
      row.windowEnd,
    );
    const relevant = over.filter((f) => counts(f.faultType));
    if (over.length > relevant.length && relevant.length === 0) {
      // A fault we were asked to ignore: the window is neither normal nor a chosen fault.
      excluded++;
      continue;
    }
    kept.push({ row, faultType: relevant[0]?.faultType ?? null });
  }

  const binary = spec.label.target === 'binary';
  const classes = binary
    ? ['normal', 'fault']
    : ['normal', ...[...new Set(kept.flatMap((k) => (k.faultType ? [k.faultType] : [])))].sort()];

  // Feature columns with too many nulls carry little and would be mostly imputed.
  const keep: number[] = [];
  const dropped: string[] = [];
  featureNames.forEach((name, c) => {
    const missing = kept.reduce((n, k) => n + (k.row.values[c] === null || k.row.values[c] === undefined ? 1 : 0), 0);
    if (kept.length > 0 && missing / kept.length > spec.maxMissingShare) dropped.push(name);
    else keep.push(c);
  });

  const n = kept.length;
  const features = new Float32Array(n * keep.length);
  const labels = new Float32Array(n);
  const order = new Float64Array(n);
  const groups: string[] = [];
  const segments: string[] = [];
  const classCounts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  kept.forEach(({ row, faultType }, r) => {
    keep.forEach((c, j) => {
      const v = row.values[c];
      features[r * keep.length + j] = v === null || v === undefined ? Number.NaN : v;
    });
    const label = faultType === null ? 0 : binary ? 1 : classes.indexOf(faultType);
    labels[r] = label;
    classCounts[classes[label]!]! += 1;
    order[r] = row.windowEnd;
    groups.push(spec.groupBy === 'run' ? row.runId : `${row.runId}/${row.vehicleId}`);
    segments.push(`${row.runId}/${row.vehicleId}`);
  });
  const segmentSet = new Set(segments);
  const keptFaults = faults.filter((f) => segmentSet.has(f.segment) && counts(f.faultType));
  return {
    dataset: {
      featureNames: keep.map((c) => featureNames[c]!),
      labelName: binary ? 'fault' : 'fault_type',
      labelKind: binary ? 'binary' : 'multiclass',
      classes,
      groupBy: spec.groupBy,
      rows: n,
      features,
      labels,
      groups,
      order,
      orderName: 'window_end',
      windowSize: spec.windowSize,
      segments,
      faults: keptFaults,
    },
    stats: {
      windows: n,
      runs: new Set(kept.map((k) => k.row.runId)).size,
      vehicles: segmentSet.size,
      faults: keptFaults.length,
      classCounts,
      droppedFeatures: dropped,
      excludedWindows: excluded,
    },
  };
}

/** The runs a spec names, owned by the org (a campaign's runs, or the chosen ones). */
export async function resolveRuns(db: PrismaClient, orgId: string, spec: OfflineDatasetSpec): Promise<string[]> {
  if (spec.campaignId) {
    const campaign = await db.campaign.findFirst({ where: { id: spec.campaignId, orgId }, select: { id: true } });
    if (!campaign) throw new AppError('NOT_FOUND', 'Campaign not found');
    const runs = await db.run.findMany({
      where: { campaignId: campaign.id, orgId },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    });
    return [...new Set([...runs.map((r) => r.id), ...spec.runIds])];
  }
  const owned = await db.run.findMany({ where: { id: { in: spec.runIds }, orgId }, select: { id: true } });
  if (owned.length !== new Set(spec.runIds).size) throw new AppError('NOT_FOUND', 'Run not found');
  return owned.map((r) => r.id);
}

/** Reads the offline store and the fault events of the runs (all scoped to the org). */
export async function loadOfflineRows(
  db: PrismaClient,
  orgId: string,
  spec: OfflineDatasetSpec,
  runIds: string[],
): Promise<{ windows: WindowRow[]; events: FaultEventRow[] }> {
  if (spec.featureSetVersion !== FEATURE_SET.version)
    throw new AppError('BAD_REQUEST', `Unknown feature set version ${spec.featureSetVersion}`);
  if (runIds.length === 0) return { windows: [], events: [] };
  const windows = await db.$queryRaw<WindowRow[]>`
    SELECT "runId", "vehicleId", "windowStart", "windowEnd", "values" FROM "FeatureWindow"
    WHERE "orgId" = ${orgId} AND "runId" IN (${Prisma.join(runIds)}) AND kind = ${spec.windowKind}
      AND "windowSize" = ${spec.windowSize} AND "featureSetVersion" = ${spec.featureSetVersion}
      ${spec.vehicleIds.length ? Prisma.sql`AND "vehicleId" IN (${Prisma.join(spec.vehicleIds)})` : Prisma.empty}`;
  const events = await db.runEvent.findMany({
    where: { orgId, runId: { in: runIds }, type: { in: ['fault_start', 'fault_end'] } },
    select: { runId: true, vehicleId: true, t: true, type: true, data: true },
  });
  return { windows, events };
}
