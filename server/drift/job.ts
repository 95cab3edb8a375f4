import type { PrismaClient } from '@prisma/client';
import type PgBoss from 'pg-boss';
import { driftAlertMessageSchema, type DriftAlertMessage } from '../contracts/drift';
import { artifactKey, getObject, putJson } from '../models/registry';
import { childLogger } from '../observability/logger';
import { objectStore, type ObjectStore } from '../store/object-store';
import { ensureQueue, TRAINING_QUEUE } from '../training/queue';
import { referenceFileSchema, storeDriftReport } from './check';
import { DriftReference } from './report';
import { windowSummarySchema } from './serving';
import { deliverDriftWebhook } from './webhook';

const log = childLogger('drift.job');

/** The pg-boss queue (and cron schedule) of drift checks over closed serving windows. */
export const DRIFT_QUEUE = 'dl-drift';
export const DRIFT_CRON = '* * * * *';
/** How long after a window's end the other serving copies have to write their part of it. */
export const DRIFT_GRACE_MS = 30_000;
/**
 * Checked windows are kept a day (their reports keep what the drift tab shows): a window holds up
 * to 2,000 sampled rows, and a busy model closes hundreds a day per serving copy.
 */
export const DRIFT_WINDOW_RETENTION_MS = 24 * 3_600_000;
/** Windows (rows of DriftWindow) taken per run; the rest wait for the next minute. */
const WINDOWS_PER_RUN = 500;

export interface DriftJobDeps {
  store?: ObjectStore;
  boss?: PgBoss;
  /** Publishes a drift alert (dl.alerts); a failure is logged, never fails the check. */
  publishAlert?: (alert: DriftAlertMessage) => Promise<void>;
  /** Delivers to the org webhook; default deliverDriftWebhook, not awaited. */
  webhook?: (alert: DriftAlertMessage) => Promise<unknown>;
  now?: () => number;
  graceMs?: number;
}

export interface WindowCheck {
  modelVersionId: string;
  windowStart: Date;
  windowEnd: Date;
  windows: number;
  /** null: the version had no reference; the window became it (a model uploaded without one). */
  reportId: string | null;
  datasetDrift: boolean | null;
  alert: DriftAlertMessage | null;
  /** Resolves when the webhook delivery finished (tests wait on it; the job does not). */
  delivery: Promise<unknown> | null;
}

/**
 * One run of the drift job: the serving windows that closed (and whose grace passed) and were not
 * checked, grouped by version and span (time windows of every copy and source share theirs),
 * claimed, compared with the version's reference, stored as reports; a drifting dataset applies
 * the model's policy and raises a drift alert on dl.alerts and the org webhook.
 */
export async function checkClosedWindows(db: PrismaClient, deps: DriftJobDeps = {}): Promise<WindowCheck[]> {
  const now = (deps.now ?? Date.now)();
  const store = deps.store ?? objectStore();
  await db.driftWindow.deleteMany({ where: { checkedAt: { lt: new Date(now - DRIFT_WINDOW_RETENTION_MS) } } });
  const due = await db.driftWindow.findMany({
    where: { checkedAt: null, windowEnd: { lte: new Date(now - (deps.graceMs ?? DRIFT_GRACE_MS)) } },
    orderBy: { windowEnd: 'asc' },
    take: WINDOWS_PER_RUN,
  });
  const groups = new Map<string, typeof due>();
  for (const w of due) {
    const key = `${w.modelVersionId}|${w.windowStart.getTime()}|${w.windowEnd.getTime()}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const out: WindowCheck[] = [];
  for (const windows of groups.values()) {
    const first = windows[0]!;
    // Claimed before the work: two job copies never report the same window twice.
    const claimed = await db.driftWindow.updateMany({
      where: { id: { in: windows.map((w) => w.id) }, checkedAt: null },
      data: { checkedAt: new Date(now) },
    });
    if (claimed.count === 0) continue;
    try {
      out.push(await checkGroup(db, windows, store, deps, now));
    } catch (err) {
      log.error({ err, versionId: first.modelVersionId, windowStart: first.windowStart }, 'drift check failed');
    }
  }
  return out;
}

async function checkGroup(
  db: PrismaClient,
  windows: Awaited<ReturnType<PrismaClient['driftWindow']['findMany']>>,
  store: ObjectStore,
  deps: DriftJobDeps,
  now: number,
): Promise<WindowCheck> {
  const first = windows[0]!;
  const base = {
    modelVersionId: first.modelVersionId,
    windowStart: first.windowStart,
    windowEnd: first.windowEnd,
    windows: windows.length,
  };
  const version = await db.modelVersion.findFirst({
    where: { id: first.modelVersionId, orgId: first.orgId },
    include: { model: true },
  });
  if (!version) return { ...base, reportId: null, datasetDrift: null, alert: null, delivery: null };
  const summaries = windows.map((w) => windowSummarySchema.parse(w.summary));
  const key = artifactKey(first.orgId, version.modelId, version.version, 'reference.json');
  const bytes = await getObject(store, key);
  if (!bytes) {
    // A version without a reference (uploaded without one): its first served window becomes it.
    await putJson(store, key, {
      featureNames: version.featureNames,
      features: summaries.flatMap((s) => s.rows),
      predictions: summaries.flatMap((s) => s.predictions).filter((p): p is number => p !== null),
      source: 'first-serving-window',
    });
    log.info({ model: version.model.name, version: version.version }, 'drift reference taken from the first window');
    return { ...base, reportId: null, datasetDrift: null, alert: null, delivery: null };
  }
  const file = referenceFileSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  // The served rows are in the version's feature order; the reference names its own.
  const position = new Map(first.featureNames.map((n, j) => [n, j]));
  const index = file.featureNames.map((n) => position.get(n) ?? -1);
  const reference = new DriftReference(file.featureNames, file.features, file.predictions ?? null);
  const window = reference.window();
  const row = new Array<number | null>(index.length);
  for (const s of summaries) {
    s.rows.forEach((r, i) => {
      for (let j = 0; j < index.length; j++) row[j] = index[j]! < 0 ? null : (r[index[j]!] ?? null);
      window.add(row, s.predictions[i] ?? null);
    });
  }
  const report = window.report();
  const stored = await storeDriftReport(
    db,
    {
      orgId: first.orgId,
      model: version.model,
      version,
      from: first.windowStart,
      to: first.windowEnd,
      rows: windows.reduce((a, w) => a + w.rows, 0),
    },
    report,
    deps,
  );
  await db.driftWindow.updateMany({ where: { id: { in: windows.map((w) => w.id) } }, data: { reportId: stored.id } });

  const predictionDrift = report.prediction?.drifted ?? false;
  if (!report.datasetDrift && !predictionDrift)
    return { ...base, reportId: stored.id, datasetDrift: false, alert: null, delivery: null };
  const alert = driftAlertMessageSchema.parse({
    v: 1,
    kind: 'drift',
    id: `drift-${stored.id}`,
    orgId: first.orgId,
    modelId: version.modelId,
    modelName: version.model.name,
    modelVersionId: version.id,
    modelVersion: version.version,
    reportId: stored.id,
    windowStart: first.windowStart.getTime(),
    windowEnd: first.windowEnd.getTime(),
    rows: stored.rows,
    driftedShare: report.driftedShare,
    datasetDrift: report.datasetDrift,
    driftedFeatures: report.columns
      .filter((c) => c.drifted)
      .map((c) => c.column)
      .slice(0, 50),
    predictionDrift,
    policy: stored.policy,
    retrainJobId: stored.retrainJobId,
    at: now,
  } satisfies DriftAlertMessage);
  log.warn(
    { model: alert.modelName, version: alert.modelVersion, drifted: alert.driftedFeatures, policy: alert.policy },
    'drift detected',
  );
  if (deps.publishAlert)
    await deps.publishAlert(alert).catch((err: unknown) => log.warn({ err }, 'drift alert not published'));
  // The webhook runs on its own: a slow receiver never holds up the next window.
  const delivery = (deps.webhook ?? ((a: DriftAlertMessage) => deliverDriftWebhook(db, a)))(alert).catch(
    () => undefined,
  );
  return { ...base, reportId: stored.id, datasetDrift: report.datasetDrift, alert, delivery };
}

/**
 * Registers the drift job on a pg-boss that runs cron (the trainer's): one queue, a schedule every
 * minute, and a worker that checks what closed since.
 */
export async function startDriftJob(boss: PgBoss, db: PrismaClient, deps: DriftJobDeps = {}): Promise<void> {
  await ensureQueue(boss, DRIFT_QUEUE, { retryLimit: 0 });
  // The "retrain" policy queues training jobs on this boss.
  await ensureQueue(boss, TRAINING_QUEUE);
  await boss.schedule(DRIFT_QUEUE, DRIFT_CRON, {}, { tz: 'UTC' });
  await boss.work(DRIFT_QUEUE, { batchSize: 1 }, async () => {
    const checks = await checkClosedWindows(db, { boss, ...deps });
    if (checks.length > 0)
      log.info(
        { windows: checks.length, drifting: checks.filter((c) => c.datasetDrift).length },
        'drift windows checked',
      );
  });
}
