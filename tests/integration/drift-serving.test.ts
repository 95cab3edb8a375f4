import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftAlertMessageSchema, webhookEventSchema, type DriftAlertMessage } from '~/server/contracts/drift';
import { db } from '~/server/db';
import { checkClosedWindows, DRIFT_QUEUE, DRIFT_WINDOW_RETENTION_MS, startDriftJob } from '~/server/drift/job';
import { gatePromoteRetrained, GATE_PROMOTE_TAG } from '~/server/drift/promote';
import type { DriftReport } from '~/server/drift/report';
import { SIGNATURE_HEADER, verifyWebhook } from '~/server/drift/webhook';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { typedProducer } from '~/server/kafka/typed';
import { registerModelVersion } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { createRedis } from '~/server/store/redis';
import { createBoss, TRAINING_QUEUE } from '~/server/training/queue';
import {
  autoencoderVersion,
  FEATURES,
  featureRows,
  registerWithReference,
  setAlias,
  trainFeatureAutoencoder,
} from '~/scripts/fixtures/models';
import type { InferenceWorker } from '~/workers/inference/worker';
import { startTestInferenceWorker } from '../helpers/inference-worker';
import {
  expectedWearRetrain,
  expectFaultedDrift,
  FAULTED_FEATURES,
  recordWearTraining,
  setCountWindows,
} from '../helpers/drift';
import { collect, isolatedTopics } from '../helpers/kafka';
import { waitFor } from '../helpers/pipeline';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

/**
 * Drift from served traffic, end to end on the real services: a version registered with its
 * reference (training rows and their scores), served over the inference worker's OIP endpoint in
 * count windows, the windows written to Postgres by the worker, checked by the drift job, the
 * shifted one flagged (and alerted on dl.alerts and the org's signed webhook) and the unshifted
 * one not; then the pg-boss job path with policy "retrain" queues a training job.
 */
let A: OrgFixture;
let topics: Awaited<ReturnType<typeof isolatedTopics>>;
let worker: InferenceWorker;
let boss: PgBoss | null = null;
let hookServer: Server;
const hookCalls: { body: string; signature: string }[] = [];
const redis = createRedis();
let modelId = '';
let versionId = '';
const WINDOW_ROWS = 1000;

async function infer(rows: number[][]) {
  const res = await fetch(`http://127.0.0.1:${worker.httpPort}/v2/models/wear/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${A.apiKey.key}` },
    body: JSON.stringify({
      inputs: [{ name: 'features', shape: [rows.length, FEATURES.length], datatype: 'FP32', data: rows.flat() }],
    }),
  });
  expect(res.status).toBe(200);
}

/** Serves one window's rows in two requests; the window closes at its row count. */
async function serveWindow(rows: number[][]) {
  await infer(rows.slice(0, rows.length / 2));
  // The worker reads the model's window setting on its first rows; give it that moment.
  await new Promise((r) => setTimeout(r, 300));
  await infer(rows.slice(rows.length / 2));
}

const windowsOf = (n: number) =>
  waitFor(
    () => db.driftWindow.findMany({ where: { modelVersionId: versionId }, orderBy: { windowEnd: 'asc' } }),
    (ws) => ws.length >= n,
    30_000,
    `${n} drift windows`,
  );

beforeAll(async () => {
  A = await makeOrg('drifts');
  topics = await isolatedTopics('drift', 1);
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hookCalls.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => hookServer.listen(0, '127.0.0.1', ok));

  const t = await trainFeatureAutoencoder(5, { epochs: 3 });
  const v = await registerWithReference(A.org.id, 'wear', t);
  modelId = v.modelId;
  versionId = v.id;
  await setAlias(A.org.id, modelId, 'production', v.id);
  await recordWearTraining(A, v.id);
  // Count windows for this model, set as a user would.
  await setCountWindows(A, modelId, WINDOW_ROWS);

  worker = await startTestInferenceWorker(
    'drift-test',
    {},
    {
      kafka: topics.kafka,
      redis,
      prefix: topics.prefix,
      streaming: false,
    },
  );
}, 240_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
  await worker?.stop();
  await topics?.cleanup();
  hookServer?.close();
  redis.disconnect();
});

describe('drift from served traffic', () => {
  it('flags a window of shifted traffic and not an unshifted one, alerting on dl.alerts and the webhook', async () => {
    const admin = callerFor(userCaller(A.users.admin));
    const hook = await admin.orgs.setWebhook({
      org: A.org.slug,
      url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
    });
    expect(hook.secret).toMatch(/^whsec_/);

    await serveWindow(featureRows(2, WINDOW_ROWS));
    await serveWindow(featureRows(3, WINDOW_ROWS, true));
    const windows = await windowsOf(2);
    expect(windows.map((w) => ({ source: w.source, rows: w.rows }))).toEqual([
      { source: 'oip', rows: WINDOW_ROWS },
      { source: 'oip', rows: WINDOW_ROWS },
    ]);

    const producer = createProducer(topics.kafka);
    await producer.connect();
    const alerts = typedProducer(producer, TOPICS.alerts, driftAlertMessageSchema, { prefix: topics.prefix });
    const checks = (
      await checkClosedWindows(db, {
        graceMs: 0,
        publishAlert: (a) => alerts.send([{ key: a.modelId, value: a }]),
      })
    ).filter((c) => c.modelVersionId === versionId);
    await producer.disconnect();
    expect(checks).toHaveLength(2);
    const [calm, shifted] = checks;

    const reports = await db.driftReport.findMany({ where: { modelId }, orderBy: { windowEnd: 'asc' } });
    expect(reports.map((r) => r.id)).toEqual([calm!.reportId, shifted!.reportId]);
    const c = reports[0]!.report as unknown as DriftReport;
    expect(reports[0]).toMatchObject({ rows: WINDOW_ROWS, datasetDrift: false, policy: 'notify' });
    expect(c.columns).toHaveLength(FEATURES.length);
    for (const col of c.columns) {
      expect(col.test).toBe('ks');
      expect(col.pValue!).toBeGreaterThan(0.001);
      expect(col.distance).toBeLessThan(0.5);
    }
    expect(c.driftedShare).toBeLessThan(0.2);
    expect(c.prediction?.drifted).toBe(false);
    expect(calm!.alert).toBeNull();

    const s = reports[1]!.report as unknown as DriftReport;
    expectFaultedDrift(s);
    // The autoencoder scores the shifted rows as anomalies: the prediction drifts too.
    expect(s.prediction?.drifted).toBe(true);
    expect(s.prediction?.pValue).toBeLessThan(1e-6);
    expect(shifted!.alert).toMatchObject({
      kind: 'drift',
      modelId,
      modelVersionId: versionId,
      reportId: shifted!.reportId,
      predictionDrift: true,
      policy: 'notify',
      retrainJobId: null,
    });
    expect(shifted!.alert!.driftedFeatures).toEqual(expect.arrayContaining(FAULTED_FEATURES));

    // On dl.alerts, keyed by model.
    const onTopic = await collect<DriftAlertMessage>(
      topics.kafka,
      topics.name(TOPICS.alerts),
      // The job checks every org's closed windows: other tests' leftovers may alert here too.
      (v) => {
        const a = driftAlertMessageSchema.parse(JSON.parse(v!.toString('utf8')));
        return a.modelId === modelId ? a : undefined;
      },
      (xs) => xs.length >= 1,
    );
    expect(onTopic).toEqual([shifted!.alert]);

    // The webhook got it once, signed with the org's secret.
    await shifted!.delivery;
    expect(hookCalls).toHaveLength(1);
    const call = hookCalls[0]!;
    expect(verifyWebhook(hook.secret, call.signature, call.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhook('whsec_wrong', call.signature, call.body, Math.floor(Date.now() / 1000))).toBe(false);
    expect(webhookEventSchema.parse(JSON.parse(call.body)).data).toEqual(shifted!.alert);
    expect(await admin.orgs.webhook({ org: A.org.slug })).toMatchObject({ lastStatus: 204, lastError: null });

    // Checked windows are not checked again, and are deleted once past their retention.
    const again = (await checkClosedWindows(db, { graceMs: 0 })).filter((x) => x.modelVersionId === versionId);
    expect(again).toEqual([]);
    await db.driftWindow.update({
      where: { id: windows[0]!.id },
      data: { checkedAt: new Date(Date.now() - DRIFT_WINDOW_RETENTION_MS - 60_000) },
    });
    await checkClosedWindows(db, { graceMs: 0 });
    expect(await db.driftWindow.findMany({ where: { modelVersionId: versionId }, select: { id: true } })).toEqual([
      { id: windows[1]!.id },
    ]);
  });

  it('the drift job on pg-boss, with policy "retrain", queues a training job like the one that trained the version', async () => {
    await setCountWindows(A, modelId, WINDOW_ROWS, 'retrain');
    // Every feature far off: most columns drift, so the dataset does.
    await serveWindow(featureRows(4, WINDOW_ROWS).map((r) => r.map((v) => v * 1.5 + 20)));
    // One window is left from the first test (the other passed its retention), and this one.
    await windowsOf(2);

    boss = createBoss();
    await boss.start();
    await startDriftJob(boss, db, { graceMs: 0, webhook: async () => undefined });
    await boss.send(DRIFT_QUEUE, {});
    const report = await waitFor(
      () => db.driftReport.findFirst({ where: { modelId, policy: 'retrain' } }),
      (r) => r !== null,
      60_000,
      'a drift report from the pg-boss job',
    );
    expect(report).toMatchObject({ datasetDrift: true, rows: WINDOW_ROWS });
    expect(report!.driftedShare).toBeGreaterThanOrEqual(0.5);
    expect(report!.retrainJobId).not.toBeNull();
    const job = await db.trainingJob.findUniqueOrThrow({ where: { id: report!.retrainJobId! } });
    expect(job).toMatchObject(expectedWearRetrain(A));
    expect(job.bossJobId).not.toBeNull();
    // Not for a trainer of this suite: another file's trainer or queue check must not find it.
    await boss.deleteJob(TRAINING_QUEUE, job.bossJobId!);

    // The drift tab's data: the newest report first-class, a trend over all three.
    const view = await callerFor(userCaller(A.users.viewer)).drift.model({ org: A.org.slug, modelId });
    expect(view.policy).toBe('retrain');
    // Seven of 32 features moved in the second window: drifting columns, not a drifting dataset.
    expect(view.trend.map((t) => t.datasetDrift)).toEqual([false, false, true]);
    expect(view.trend[1]!.columns[FEATURES[0]!]).toMatchObject({ drifted: true });
    expect(view.latest?.report.columns[0]?.drifted).toBe(true);
  });
});

describe('retrain and gate-promote', () => {
  it("promotes a retrained version to production only when its main metric beats production's", async () => {
    const t = await trainFeatureAutoencoder(6, { epochs: 1 });
    const register = (f1: number) =>
      registerModelVersion(db, autoencoderVersion(A.org.id, 'gated', t, { metrics: { f1 } }), objectStore());
    const v1 = await register(0.8);
    await setAlias(A.org.id, v1.modelId, 'production', v1.id);
    const published: string[] = [];
    const publish = (m: { versionId: string | null }) => Promise.resolve(void published.push(m.versionId ?? ''));
    const job = { orgId: A.org.id, tags: ['drift-retrain', GATE_PROMOTE_TAG] };

    const worse = await register(0.7);
    expect(await gatePromoteRetrained(db, job, worse, publish)).toMatchObject({
      promoted: false,
      reason: expect.stringContaining('is not higher than') as unknown,
    });
    const better = await register(0.9);
    // A plain drift retrain (policy "retrain") never moves production.
    expect(await gatePromoteRetrained(db, { ...job, tags: ['drift-retrain'] }, better, publish)).toMatchObject({
      promoted: false,
    });
    expect(await gatePromoteRetrained(db, job, better, publish)).toMatchObject({ promoted: true });
    const alias = await db.modelAlias.findUniqueOrThrow({
      where: { modelId_name: { modelId: v1.modelId, name: 'production' } },
    });
    expect(alias.versionId).toBe(better.id);
    expect(published).toEqual([better.id]);
    const refused = await db.auditLog.count({ where: { orgId: A.org.id, action: 'model.promotion_refused' } });
    expect(refused).toBe(1);
  });
});
