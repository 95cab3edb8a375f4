import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresKey, FEATURE_SET, type FeaturesMessage } from '~/server/contracts/features';
import type { SimEvent } from '~/server/contracts/events';
import {
  alertMessageSchema,
  predictionMessageSchema,
  type AlertMessage,
  type PredictionMessage,
} from '~/server/contracts/predictions';
import type { RunStatus } from '~/server/contracts/run-status';
import { db } from '~/server/db';
import { checkClosedWindows } from '~/server/drift/job';
import type { DriftReport } from '~/server/drift/report';
import { createProducer } from '~/server/kafka/client';
import { encodeMessage } from '~/server/kafka/messages';
import { disconnectSharedProducer } from '~/server/kafka/producer';
import { TOPICS } from '~/server/kafka/topics';
import { outcomeReport } from '~/server/outcomes/evaluate';
import { SIMULATION_SOURCE } from '~/server/outcomes/ground-truth';
import { startRunTracking } from '~/server/runs/tracking';
import { objectStore } from '~/server/store/object-store';
import { createRedis } from '~/server/store/redis';
import {
  FEATURES,
  featureRows,
  registerWithReference,
  setAlias,
  trainFeatureAutoencoder,
} from '~/scripts/fixtures/models';
import type { InferenceWorker } from '~/workers/inference/worker';
import { float8ArrayLiteral } from '~/workers/features/offline-sql';
import { featureWindow } from '~/scripts/fixtures/feature-windows';
import { setCountWindows } from '../helpers/drift';
import { startTestInferenceWorker } from '../helpers/inference-worker';
import { collect, isolatedTopics } from '../helpers/kafka';
import { waitFor } from '../helpers/pipeline';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

/**
 * The streaming path of models in production, on the real services (Kafka, Postgres, ONNX
 * Runtime): the inference worker scores dl.features with the production version and a shadow
 * version (the shadow publishes nothing and alerts on nothing, but its scores are kept); the web's
 * run tracking turns the run's fault_start/fault_end events into observed labels of what was
 * served, with no call to /feedback, so both variants get outcome metrics; and the worker's
 * stream drift windows (count-based here) flag shifted traffic and not unshifted traffic.
 */
let A: OrgFixture;
let B: OrgFixture;
let topics: Awaited<ReturnType<typeof isolatedTopics>>;
let worker: InferenceWorker;
let tracking: { stop: () => Promise<void> };
const redis = createRedis();
const store = objectStore();
let runId = '';
const ids = { modelId: '', baseline: '', shadow: '', driftModelId: '', driftVersion: '' };
const DRIFT_ROWS = 500;

function window(orgId: string, run: string, vehicleId: string, t: number, values: (number | null)[]): FeaturesMessage {
  return featureWindow({ orgId, runId: run, vehicleId, t }, values);
}

async function send(topicName: (typeof TOPICS)[keyof typeof TOPICS], messages: { key: string; value: unknown }[]) {
  const producer = createProducer(topics.kafka);
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500)
      await producer.send({
        topic: topics.name(topicName),
        messages: messages.slice(i, i + 500).map((m) => ({ key: m.key, value: encodeMessage(m.value) })),
      });
  } finally {
    await producer.disconnect();
  }
}

const fault = (type: 'fault_start' | 'fault_end', t: number): SimEvent => ({
  v: 1,
  orgId: A.org.id,
  runId,
  vehicleId: 'ego',
  t,
  ts: Date.now(),
  type,
  data: { faultType: 'engine_overheat', faultIndex: 0, severity: 0.8 },
});

beforeAll(async () => {
  A = await makeOrg('stream-out');
  B = await makeOrg('stream-drift');
  topics = await isolatedTopics('streamout', 1);
  const template = await db.run.findUniqueOrThrow({ where: { id: A.ids.runId } });
  runId = (
    await db.run.create({
      data: {
        orgId: A.org.id,
        scenarioId: template.scenarioId,
        scenarioVersionId: template.scenarioVersionId,
        state: 'running',
      },
    })
  ).id;

  const [t1, t2] = [
    await trainFeatureAutoencoder(41, { epochs: 15 }),
    await trainFeatureAutoencoder(42, { epochs: 15 }),
  ];
  const v1 = await registerWithReference(A.org.id, 'coolant', t1);
  const v2 = await registerWithReference(A.org.id, 'coolant', t2);
  Object.assign(ids, { modelId: v1.modelId, baseline: v1.id, shadow: v2.id });
  await setAlias(A.org.id, v1.modelId, 'production', v1.id);
  await db.modelAlias.update({
    where: { modelId_name: { modelId: v1.modelId, name: 'production' } },
    data: { shadowVersionId: v2.id },
  });

  // Org B: a model whose stream drift windows close every DRIFT_ROWS rows, set as a user would.
  const d = await registerWithReference(B.org.id, 'wear-stream', t1);
  Object.assign(ids, { driftModelId: d.modelId, driftVersion: d.id });
  await setAlias(B.org.id, d.modelId, 'production', d.id);
  await setCountWindows(B, d.modelId, DRIFT_ROWS);

  worker = await startTestInferenceWorker(
    'stream-out',
    {},
    {
      store,
      kafka: topics.kafka,
      redis,
      prefix: topics.prefix,
      fromBeginning: true,
    },
  );
  tracking = await startRunTracking(topics.kafka, db, { prefix: topics.prefix });
}, 240_000);

afterAll(async () => {
  await tracking?.stop();
  await worker?.stop();
  await disconnectSharedProducer();
  await topics?.cleanup();
  redis.disconnect();
});

describe('streamed predictions, shadows and ground truth from simulated faults', () => {
  it('the shadow scores a copy without acting; alerts explain why; fault events label both variants', async () => {
    // ego: faulty readings in [10, 20) of a 30 s run; npc-1 normal throughout. One feature has no
    // data in any window (a NULL in the offline store, imputed when scored), as in real runs.
    const gap = 1;
    const withGap = (values: number[]) => values.map((v, j) => (j === gap ? null : v));
    const T = 30;
    const inFault = (t: number) => t >= 10 && t < 20;
    const msgs: { key: string; value: FeaturesMessage }[] = [];
    for (let t = 0; t < T; t++) {
      for (const [vehicle, faulty] of [
        ['ego', inFault(t)],
        ['npc-1', false],
      ] as const) {
        const m = window(
          A.org.id,
          runId,
          vehicle,
          t,
          withGap(featureRows(500 + t + (vehicle === 'ego' ? 0 : 100), 1, faulty)[0]!),
        );
        msgs.push({ key: featuresKey(m), value: m });
      }
    }
    await send(TOPICS.features, msgs);

    const ours = (p: { runId: string }) => p.runId === runId;
    const preds = await collect<PredictionMessage>(
      topics.kafka,
      topics.name(TOPICS.predictions),
      (v) => predictionMessageSchema.parse(JSON.parse(v!.toString())),
      (xs) => xs.filter(ours).length >= 2 * T,
      45_000,
    );
    // Published: the production version's predictions only, one per window.
    expect(preds.filter(ours)).toHaveLength(2 * T);
    expect(new Set(preds.filter(ours).map((p) => p.modelVersionId))).toEqual(new Set([ids.baseline]));
    const alerts = await collect<AlertMessage>(
      topics.kafka,
      topics.name(TOPICS.alerts),
      (v) => alertMessageSchema.parse(JSON.parse(v!.toString())),
      (xs) => xs.filter(ours).length >= 1,
      20_000,
    );
    expect(alerts.filter(ours).length).toBeGreaterThan(0);
    expect(alerts.filter(ours).every((a) => a.modelVersionId === ids.baseline)).toBe(true);
    expect(await db.alert.count({ where: { runId, modelVersionId: ids.shadow } })).toBe(0);

    // The alert's "why": its window's features (as the features worker stores them), explained.
    const alert = await db.alert.findFirstOrThrow({ where: { runId }, orderBy: { windowStart: 'asc' } });
    const viewer = callerFor(userCaller(A.users.viewer));
    expect(await viewer.inference.alertWhy({ org: A.org.slug, alertId: alert.id })).toMatchObject({ available: false });
    const values = featureRows(500 + alert.windowStart, 1, true)[0]!;
    // Stored as the features worker stores it (workers/features/offline-sql.ts): a feature the
    // window had no data for is a NULL element, which Prisma's Float[] mapping cannot read.
    const stored = withGap(values);
    await db.$executeRaw`
      INSERT INTO "FeatureWindow" ("orgId","runId","vehicleId","windowStart","windowSize","windowEnd","kind","featureSetVersion","values","frameCount")
      VALUES (${A.org.id}, ${runId}, 'ego', ${alert.windowStart}, 1, ${alert.windowEnd}, 'tumbling',
        ${FEATURE_SET.version}, ${float8ArrayLiteral(stored)}::double precision[], 20)`;
    const why = await viewer.inference.alertWhy({ org: A.org.slug, alertId: alert.id });
    if (!why.available) throw new Error(why.reason);
    expect(why.top).toHaveLength(5);
    expect(why.score).toBeCloseTo(alert.score, 3);
    for (const f of why.top) {
      const j = FEATURES.indexOf(f.feature);
      if (j === gap) expect(f.value).toBeNull();
      else expect(f.value).toBeCloseTo(values[j]!, 3);
    }
    // The shifted features explain the alert: they lead, pushing the score up.
    const moved = FEATURES.filter((_, j) => j % 5 === 0);
    expect(moved).toContain(why.top[0]!.feature);
    expect(why.top[0]!.contribution).toBeGreaterThan(0);
    // Another org's member cannot ask about it.
    await expect(
      callerFor(userCaller(B.users.owner)).inference.alertWhy({ org: B.org.slug, alertId: alert.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Kept for outcomes: every window served, and the shadow's score of each, paired with it.
    const served = await waitFor(
      () => db.servedPrediction.findMany({ where: { runId }, orderBy: [{ vehicleId: 'asc' }, { windowStart: 'asc' }] }),
      (rows) => rows.length >= 4 * T,
      30_000,
      'served and shadow rows',
    );
    expect(served).toHaveLength(4 * T);
    const base = served.filter((r) => r.variant === 'baseline');
    const shadow = served.filter((r) => r.variant === 'shadow');
    expect(base).toHaveLength(2 * T);
    expect(shadow).toHaveLength(2 * T);
    expect(base.every((r) => r.modelVersionId === ids.baseline && r.alias === 'production')).toBe(true);
    expect(shadow.every((r) => r.modelVersionId === ids.shadow && r.alias === 'production')).toBe(true);
    const byWindow = new Map(base.map((r) => [`${r.vehicleId}@${r.windowStart}`, r.id]));
    for (const s of shadow) expect(s.pairedWithId).toBe(byWindow.get(`${s.vehicleId}@${s.windowStart}`));
    // The shadow is another version: its scores are its own.
    expect(shadow.map((r) => r.score)).not.toEqual(base.map((r) => r.score));
    expect(served.every((r) => r.observed === null)).toBe(true);

    // The simulator's ground truth: the fault on the ego from 10 s to 20 s.
    await send(TOPICS.events, [
      { key: runId, value: fault('fault_start', 10) },
      { key: runId, value: fault('fault_end', 20) },
    ]);
    const labelled = (where: object) =>
      db.servedPrediction.findMany({
        where: { runId, observedSource: SIMULATION_SOURCE, ...where },
        orderBy: { windowStart: 'asc' },
      });
    // At the fault's end the ego's windows up to it are labelled: faulty during it, normal before.
    const egoSoFar = await waitFor(
      () => labelled({ vehicleId: 'ego' }),
      (rows) => rows.length >= 2 * 20,
      30_000,
      'ego windows labelled from the fault events',
    );
    expect(egoSoFar).toHaveLength(2 * 20);
    for (const r of egoSoFar)
      expect([r.windowStart, r.observed]).toEqual([r.windowStart, inFault(r.windowStart!) ? 1 : 0]);

    // The run ends: everything it served is labelled.
    const done: RunStatus = {
      v: 1,
      orgId: A.org.id,
      runId,
      state: 'completed',
      progress: 1,
      simTime: T,
      realTimeFactor: 1,
      ts: Date.now(),
    };
    await send(TOPICS.runStatus, [{ key: runId, value: done }]);
    const all = await waitFor(
      () => labelled({}),
      (rows) => rows.length >= 4 * T,
      30_000,
      'every served row labelled',
    );
    expect(all).toHaveLength(4 * T);
    for (const r of all)
      expect([r.vehicleId, r.windowStart, r.observed]).toEqual([
        r.vehicleId,
        r.windowStart,
        r.vehicleId === 'ego' && inFault(r.windowStart!) ? 1 : 0,
      ]);

    // Per-variant outcome metrics, the shadow's included.
    const report = await outcomeReport(db, A.org.id, ids.modelId, 'production');
    const of = (v: string) => report.variants.find((x) => x.variant === v)!;
    expect(of('baseline')).toMatchObject({ versionId: ids.baseline, outcome: { n: 2 * T, metric: 'error_rate' } });
    expect(of('shadow')).toMatchObject({ versionId: ids.shadow, outcome: { n: 2 * T } });
    // Both autoencoders tell the faulty readings from the normal ones.
    expect(of('baseline').outcome.headline.value!).toBeGreaterThanOrEqual(0.9);
    expect(of('shadow').outcome.headline.value!).toBeGreaterThanOrEqual(0.9);
    expect(report.shadowTest).not.toBeNull();

    // Feedback given through the API is never overwritten by a later relabel.
    await db.servedPrediction.update({
      where: { id: base[0]!.id },
      data: { observed: 1, observedSource: 'api' },
    });
    await send(TOPICS.events, [{ key: runId, value: fault('fault_end', 20.5) }]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await db.servedPrediction.findUniqueOrThrow({ where: { id: base[0]!.id } })).toMatchObject({
      observed: 1,
      observedSource: 'api',
    });
  });
});

describe('stream drift windows', () => {
  it('a count window of shifted traffic through the worker is flagged, an unshifted one is not', async () => {
    const run = B.ids.runId;
    const rows = [...featureRows(2, DRIFT_ROWS), ...featureRows(3, DRIFT_ROWS, true)];
    const msgs = rows.map((values, i) => {
      const m = window(B.org.id, run, `v${i % 50}`, Math.floor(i / 50), values);
      return { key: featuresKey(m), value: m };
    });
    // The worker reads the model's window setting on its first rows; give it that moment.
    await send(TOPICS.features, msgs.slice(0, 50));
    await new Promise((r) => setTimeout(r, 1000));
    await send(TOPICS.features, msgs.slice(50));

    const windows = await waitFor(
      () => db.driftWindow.findMany({ where: { modelVersionId: ids.driftVersion }, orderBy: { windowEnd: 'asc' } }),
      (ws) => ws.length >= 2,
      45_000,
      'two stream drift windows',
    );
    expect(windows.map((w) => ({ source: w.source, rows: w.rows }))).toEqual([
      { source: 'stream', rows: DRIFT_ROWS },
      { source: 'stream', rows: DRIFT_ROWS },
    ]);

    const checks = (await checkClosedWindows(db, { graceMs: 0 })).filter((c) => c.modelVersionId === ids.driftVersion);
    expect(checks).toHaveLength(2);
    const reports = await db.driftReport.findMany({
      where: { modelId: ids.driftModelId },
      orderBy: { windowEnd: 'asc' },
    });
    expect(reports.map((r) => r.id)).toEqual(checks.map((c) => c.reportId));

    const calm = reports[0]!.report as unknown as DriftReport;
    expect(reports[0]).toMatchObject({ rows: DRIFT_ROWS, datasetDrift: false });
    for (const col of calm.columns) {
      expect(col.test).toBe('ks');
      expect(col.pValue!).toBeGreaterThan(0.001);
      expect(col.distance).toBeLessThan(0.5);
    }
    expect(calm.prediction?.drifted).toBe(false);
    expect(checks[0]!.alert).toBeNull();

    const shifted = reports[1]!.report as unknown as DriftReport;
    const moved = FEATURES.filter((_, j) => j % 5 === 0);
    for (const name of moved) {
      const col = shifted.columns.find((x) => x.column === name)!;
      expect(col.drifted).toBe(true);
      expect(col.pValue!).toBeLessThan(1e-6);
      expect(col.distance).toBeGreaterThan(1);
    }
    expect(shifted.prediction?.drifted).toBe(true);
    expect(checks[1]!.alert).toMatchObject({ kind: 'drift', modelId: ids.driftModelId, predictionDrift: true });
  });
});
