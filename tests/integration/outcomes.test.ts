import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as feedback } from '~/app/api/v1/feedback/route';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { registerDemoVersion, syntheticRows, DEMO_FEATURES } from '~/scripts/demo-model';
import { db } from '~/server/db';
import { disconnectSharedProducer } from '~/server/kafka/producer';
import { registerModelVersion } from '~/server/models/registry';
import { redis } from '~/server/store/redis';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { jsonRequest } from '../helpers/training';

/**
 * A/B outcomes end to end on real Postgres, Kafka (dl.models) and ONNX Runtime: predictions are
 * served through the predict route (canary split by vehicle, a shadow scoring a copy), observed
 * labels come back through POST /api/v1/feedback, per-variant metrics follow, and the mSPRT
 * rolls back a canary whose threshold is broken (it calls every window an anomaly).
 */
let a: OrgFixture;
let b: OrgFixture;
const modelName = `outcome-ae-${Date.now().toString(36)}`;
let modelId = '';
const versions: Record<'good' | 'broken' | 'shadow', { id: string; version: number }> = {} as never;

beforeAll(async () => {
  [a, b] = [await makeOrg('outcomes-a'), await makeOrg('outcomes-b')];
  const good = await registerDemoVersion(db, { orgId: a.org.id, modelName, epochs: 30, seed: 7 });
  versions.good = { id: good.version.id, version: good.version.version };
  modelId = good.version.modelId;
  // The same network with a threshold of 0: every window is an "anomaly". Clearly worse on normal traffic.
  const broken = await registerModelVersion(db, {
    orgId: a.org.id,
    modelName,
    kind: 'autoencoder',
    featureNames: DEMO_FEATURES,
    metrics: {},
    threshold: 0,
    onnx: good.onnx,
    sidecar: good.sidecar,
    inputShape: [DEMO_FEATURES.length],
    outputShape: [1],
  });
  versions.broken = { id: broken.id, version: broken.version };
  const shadow = await registerModelVersion(db, {
    orgId: a.org.id,
    modelName,
    kind: 'autoencoder',
    featureNames: DEMO_FEATURES,
    metrics: {},
    threshold: good.version.threshold,
    onnx: good.onnx,
    sidecar: good.sidecar,
    inputShape: [DEMO_FEATURES.length],
    outputShape: [1],
  });
  versions.shadow = { id: shadow.id, version: shadow.version };
}, 120_000);

afterAll(async () => {
  await disconnectSharedProducer();
  redis().disconnect();
});

const admin = () => callerFor(userCaller(a.users.admin));
const call = async (route: (r: Request) => Promise<Response>, url: string, key: string, body: unknown) => {
  const r = await route(jsonRequest(url, key, body));
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};

describe('A/B outcomes, feedback and shadows', () => {
  it('feedback reaches per-variant metrics, and a clearly worse canary is detected and rolled back', async () => {
    const org = a.org.slug;
    await admin().models.promote({ org, modelId, versionId: versions.good.id, alias: 'production' });
    await admin().models.setCanary({ org, modelId, alias: 'production', versionId: versions.broken.id, weight: 0.5 });
    await admin().models.setShadow({ org, modelId, alias: 'production', versionId: versions.shadow.id });
    await admin().models.setAutoRollback({ org, modelId, alias: 'production', autoRollback: true });

    // Mostly normal traffic with some real anomalies; the truth is known for every row.
    const data = syntheticRows(41, 400, 40);
    const cols = data.x.cols;
    let rolledBack: any = null;
    let lastOutcomes: any = null;
    const served = { baseline: 0, canary: 0 };
    let i = 0;
    for (; i < data.x.rows && !rolledBack; i++) {
      const row = Array.from(data.x.values.subarray(i * cols, (i + 1) * cols));
      const features = Object.fromEntries(DEMO_FEATURES.map((f, k) => [f, row[k]!]));
      const p = await call(predict, '/api/v1/models/predict', a.apiKey.key, {
        model: modelName,
        features,
        vehicleId: `veh-${i % 80}`,
      });
      expect(p.status).toBe(200);
      expect(typeof p.body.predictionId).toBe('string');
      served[p.body.versionId === versions.broken.id ? 'canary' : 'baseline']++;
      const f = await call(feedback, '/api/v1/feedback', a.apiKey.key, {
        predictionId: p.body.predictionId,
        observed: data.isAnomaly[i] === 1,
      });
      expect(f.status).toBe(200);
      // The served row and the shadow's twin are both labelled.
      expect(f.body.labelled).toBe(2);
      lastOutcomes = f.body.outcomes;
      if (i === 5) expect(lastOutcomes.canaryTest.verdict).toBe('insufficient-data');
      rolledBack = f.body.outcomes.rolledBack;
    }
    expect(served.canary).toBeGreaterThan(0);
    expect(served.baseline).toBeGreaterThan(0);
    // Detected well before the traffic ran out, and it was the canary that was worse.
    expect(rolledBack).toEqual({ canaryVersion: versions.broken.version, eventId: expect.any(String) });
    expect(i).toBeLessThan(data.x.rows);
    const byVariant = Object.fromEntries(lastOutcomes.variants.map((v: any) => [v.variant, v]));
    expect(byVariant.baseline.outcome.n + byVariant.canary.outcome.n).toBe(i);
    expect(byVariant.shadow.outcome.n).toBe(i);
    expect(byVariant.canary.outcome.headline.value).toBeLessThan(byVariant.baseline.outcome.headline.value - 0.3);
    expect(lastOutcomes.canaryTest.verdict).toBe('canary-worse');
    expect(lastOutcomes.canaryTest.pValue).toBeLessThanOrEqual(0.05);
    // The shadow is the baseline's twin: no verdict against it.
    expect(lastOutcomes.shadowTest.verdict).not.toMatch(/worse|better/);

    const alias = await db.modelAlias.findFirstOrThrow({ where: { modelId, name: 'production' } });
    expect(alias).toMatchObject({ versionId: versions.good.id, canaryVersionId: null, canaryWeight: 0 });
    const audits = await db.auditLog.findMany({ where: { orgId: a.org.id, targetId: modelId } });
    const auto = audits.filter((x) => x.actorLabel === 'outcomes: automatic rollback').map((x) => x.action);
    expect(auto.sort()).toEqual(['model.canary_auto_rolled_back', 'model.canary_cleared']);
    const decided = audits.find((x) => x.action === 'model.canary_auto_rolled_back')!.data as Record<string, number>;
    expect(decided.pValue).toBeLessThanOrEqual(0.05);
    expect(decided.canaryN).toBe(byVariant.canary.outcome.n);

    // After the rollback every vehicle is served by the baseline.
    for (let v = 0; v < 10; v++) {
      const p = await call(predict, '/api/v1/models/predict', a.apiKey.key, {
        model: modelName,
        features: Object.fromEntries(DEMO_FEATURES.map((f) => [f, null])),
        vehicleId: `veh-${v}`,
      });
      expect(p.body.versionId).toBe(versions.good.id);
    }
    // The serving page reads the same report.
    const report = await admin().models.outcomes({ org, modelId, alias: 'production' });
    expect(report.variants.map((v) => v.variant)).toEqual(['baseline', 'shadow']);
  }, 240_000);

  it('finds a prediction by (model, vehicleId, time), and answers clear 404s and 400s', async () => {
    const features = Object.fromEntries(DEMO_FEATURES.map((f) => [f, null]));
    const p = await call(predict, '/api/v1/models/predict', a.apiKey.key, {
      model: modelName,
      features,
      vehicleId: 'truck-9',
    });
    const later = new Date(Date.now() + 1000).toISOString();
    const byKey = await call(feedback, '/api/v1/feedback', a.apiKey.key, {
      model: modelName,
      vehicleId: 'truck-9',
      time: later,
      observed: false,
    });
    expect(byKey.status).toBe(200);
    expect(byKey.body.predictionId).toBe(p.body.predictionId);
    const row = await db.servedPrediction.findUniqueOrThrow({ where: { id: p.body.predictionId } });
    expect(row).toMatchObject({ observed: 0, observedSource: 'api', variant: 'baseline' });

    const miss = async (body: unknown, status: number, text: RegExp, key = a.apiKey.key) => {
      const r = await call(feedback, '/api/v1/feedback', key, body);
      expect(r.status).toBe(status);
      expect(r.body.error).toMatch(text);
      return r.body;
    };
    await miss({ predictionId: 'nope', observed: true }, 404, /Prediction 'nope' not found/);
    // Another org's prediction is as unknown as none.
    await miss({ predictionId: p.body.predictionId, observed: true }, 404, /not found/, b.apiKey.key);
    await miss({ model: 'nope', vehicleId: 'truck-9', time: later, observed: true }, 404, /Model 'nope' not found/);
    await miss(
      { model: modelName, vehicleId: 'truck-9', time: '2020-01-01T00:00:00Z', observed: true },
      404,
      /No prediction of model/,
    );
    const both = await miss(
      { predictionId: p.body.predictionId, model: modelName, observed: true },
      400,
      /Invalid request body/,
    );
    expect(JSON.stringify(both.issues)).toContain('not both');
    const partial = await miss({ model: modelName, observed: true }, 400, /Invalid request body/);
    expect(partial.issues.map((x: any) => x.path).sort()).toEqual(['time', 'vehicleId']);
    await miss({ predictionId: p.body.predictionId, observed: 3.5 }, 400, /true\/false/);
    await miss({ predictionId: p.body.predictionId, observed: true, extra: 1 }, 400, /Invalid request body/);
    // Feedback moves metrics that can roll a deployment back: viewers may not send it.
    const viewerKey = await import('~/server/auth/tokens').then((m) => m.generateApiKey());
    await db.apiKey.create({
      data: { orgId: a.org.id, name: 'viewer', prefix: viewerKey.prefix, hash: viewerKey.hash, role: 'viewer' },
    });
    await miss({ predictionId: p.body.predictionId, observed: true }, 403, /engineer/, viewerKey.key);
  }, 60_000);
});
