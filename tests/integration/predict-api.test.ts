import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { POST as predictVehicle } from '~/app/api/v1/models/predict/vehicle/route';
import { FEATURE_SET, type FeaturesMessage } from '~/server/contracts/features';
import { writeOnlineFeatures } from '~/server/store/online-features';
import { redis } from '~/server/store/redis';
import { FEATURES, featureRows, registerAutoencoder, setAlias } from '~/scripts/fixtures/models';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';

// The fleet predict API's route handlers, called with real Requests against Postgres, Redis,
// the object store and ONNX Runtime.
let A: OrgFixture;
let B: OrgFixture;
let v1 = '';
let v2 = '';
let modelId = '';

const call = (handler: (r: Request) => Promise<Response>, key: string | null, body: unknown) =>
  handler(
    new Request('http://localhost/api/v1/models/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const named = (values: number[]) => Object.fromEntries(FEATURES.map((f, i) => [f, values[i]!]));

beforeAll(async () => {
  A = await makeOrg('preda');
  B = await makeOrg('predb');
  const a1 = await registerAutoencoder(A.org.id, 'brakes', 61, { epochs: 15 });
  const a2 = await registerAutoencoder(A.org.id, 'brakes', 62, { epochs: 15 });
  v1 = a1.id;
  v2 = a2.id;
  modelId = a1.modelId;
  await setAlias(A.org.id, a1.modelId, 'production', a1.id);
}, 180_000);

afterAll(() => {
  redis().disconnect();
});

describe('POST /api/v1/models/predict', () => {
  it('maps named features (any order) onto the model and returns the prediction, version and latency', async () => {
    const values = featureRows(70, 1)[0]!;
    const shuffled = Object.fromEntries(Object.entries(named(values)).reverse());
    const res = await call(predict, A.apiKey.key, { model: 'brakes', features: shuffled });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      model: 'brakes',
      version: 1,
      versionId: v1,
      alias: 'production',
      kind: 'autoencoder',
      executionProvider: 'cpu',
      imputed: [],
    });
    expect(body.prediction.label).toBe('normal');
    expect(body.prediction.score).toBeLessThan(body.prediction.threshold);
    expect(body.latencyMs.model).toBeGreaterThan(0);
    expect(body.latencyMs.total).toBeGreaterThanOrEqual(body.latencyMs.model);

    const faulty = (await (
      await call(predict, A.apiKey.key, { model: 'brakes', features: named(featureRows(71, 1, true)[0]!) })
    ).json()) as Record<string, any>;
    expect(faulty.prediction.label).toBe('anomaly');
    expect(faulty.prediction.score).toBeGreaterThan(body.prediction.score * 10);
  });

  it('scores an explicit version, and treats null as "no reading" (imputed)', async () => {
    const features = { ...named(featureRows(72, 1)[0]!), lead_ttc_min: null };
    const body = (await (
      await call(predict, A.apiKey.key, { model: 'brakes', version: 2, features })
    ).json()) as Record<string, any>;
    expect(body).toMatchObject({ version: 2, versionId: v2, alias: null, imputed: ['lead_ttc_min'] });
  });

  it('lists missing and unknown feature names in a 400', async () => {
    const f = named(featureRows(73, 1)[0]!);
    delete f.speed_mean;
    delete f.brake_mean;
    const res = await call(predict, A.apiKey.key, { model: 'brakes', features: { ...f, speed_avg: 1, tyre_temp: 2 } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, any>;
    expect(body.missing).toEqual(['speed_mean', 'brake_mean']);
    expect(body.unknown).toEqual(['speed_avg', 'tyre_temp']);
    expect(body.error).toMatch(/missing: speed_mean, brake_mean; unknown: speed_avg, tyre_temp/);
    expect(body.expected).toEqual([...FEATURE_SET.names]);
  });

  it('validates the body and refuses other orgs, unknown models and versions', async () => {
    expect((await call(predict, A.apiKey.key, 'nope')).status).toBe(400);
    const bad = await call(predict, A.apiKey.key, { model: 'brakes', features: { speed_mean: 'fast' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe('features.speed_mean');
    expect((await call(predict, null, { model: 'brakes', features: {} })).status).toBe(401);
    const foreign = await call(predict, B.apiKey.key, { model: 'brakes', features: named(featureRows(74, 1)[0]!) });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: "Model 'brakes' not found", code: 'NOT_FOUND', issues: [] });
    expect((await call(predict, A.apiKey.key, { model: 'brakes', version: 9, features: {} })).status).toBe(404);
    expect((await call(predict, A.apiKey.key, { model: 'brakes', alias: 'staging', features: {} })).status).toBe(404);
  });

  it("takes the model's id as well as its name, and never another org's id", async () => {
    const features = named(featureRows(78, 1, true)[0]!);
    const byName = await call(predict, A.apiKey.key, { model: 'brakes', features });
    const byId = await call(predict, A.apiKey.key, { model: modelId, features });
    expect(byName.status).toBe(200);
    expect(byId.status).toBe(200);
    const n = (await byName.json()) as Record<string, any>;
    const i = (await byId.json()) as Record<string, any>;
    // The answer names the model, whichever way it was asked for.
    expect(i).toMatchObject({ model: 'brakes', version: 1, versionId: v1, alias: 'production' });
    expect(i.version).toBe(n.version);
    expect(i.versionId).toBe(n.versionId);
    expect(i.prediction.score).toBe(n.prediction.score);
    expect(i.prediction.label).toBe('anomaly');
    // An explicit version resolves through the id too.
    const v2ById = (await (
      await call(predict, A.apiKey.key, { model: modelId, version: 2, features })
    ).json()) as Record<string, any>;
    expect(v2ById).toMatchObject({ model: 'brakes', version: 2, versionId: v2 });

    // B's key with A's model id: the same 404 as a model that does not exist, nothing about A's.
    const foreign = await call(predict, B.apiKey.key, { model: modelId, features });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: `Model '${modelId}' not found`, code: 'NOT_FOUND', issues: [] });
    const foreignVersion = await call(predict, B.apiKey.key, { model: modelId, version: 1, features });
    expect(foreignVersion.status).toBe(404);
    expect(await foreignVersion.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('bad input to the predict API (issue 19)', () => {
  it('refuses a feature value beyond float32 with a 400 naming it, never a 200 with a null score', async () => {
    const f = named(featureRows(76, 1)[0]!);
    for (const huge of [1e308, -1e39, 3.5e38]) {
      const res = await call(predict, A.apiKey.key, { model: 'brakes', features: { ...f, speed_mean: huge } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; code: string; issues: { path: string; code: string }[] };
      expect(body.code).toBe('BAD_REQUEST');
      expect(body.issues[0]!.path).toBe('features.speed_mean');
      expect(body.error).toMatch(/float32/);
    }
  });

  it('refuses NUL and control characters in strings with a 400 naming the field', async () => {
    const f = named(featureRows(77, 1)[0]!);
    const res = await call(predict, A.apiKey.key, { model: 'bra\u0000kes', features: f });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string; code: string }[] };
    expect(body.issues[0]).toMatchObject({ path: 'model', code: 'control_character' });
    const key = await call(predict, A.apiKey.key, { model: 'brakes', features: { ...f, 'x\u0001': 1 } });
    expect(key.status).toBe(400);
  });

  it('answers a body over 1 MiB with 413 and JSON nested 5000 deep with 400', async () => {
    const big = await call(predict, A.apiKey.key, { model: 'brakes', features: {}, pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const deep = await call(
      predict,
      A.apiKey.key,
      `{"model":"brakes","features":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    );
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ code: 'BAD_REQUEST', issues: [{ code: 'too_deep' }] });
  });
});

describe('POST /api/v1/models/predict/vehicle', () => {
  it("predicts from the vehicle's latest online-store window, only within the org", async () => {
    const values = featureRows(75, 1, true)[0]!;
    const m: FeaturesMessage = {
      v: 1,
      orgId: A.org.id,
      runId: A.ids.runId,
      vehicleId: 'ego',
      windowStart: 41,
      windowEnd: 42,
      windowSize: 1,
      kind: 'tumbling',
      featureSetVersion: FEATURE_SET.version,
      // The store's order need not be the model's.
      names: [...FEATURES].reverse(),
      values: [...values].reverse(),
      frameCount: 20,
      emittedAt: Date.now(),
      revision: 0,
    };
    await writeOnlineFeatures(redis(), [m], 60);
    const res = await call(predictVehicle, A.apiKey.key, { model: 'brakes', runId: A.ids.runId, vehicleId: 'ego' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      version: 1,
      window: { runId: A.ids.runId, vehicleId: 'ego', start: 41, end: 42, kind: 'tumbling' },
    });
    expect(body.prediction.label).toBe('anomaly');
    // Same answer as naming the features directly.
    const direct = (await (
      await call(predict, A.apiKey.key, { model: 'brakes', features: named(values) })
    ).json()) as Record<string, any>;
    expect(body.prediction.score).toBeCloseTo(direct.prediction.score, 4);

    expect(
      (await call(predictVehicle, A.apiKey.key, { model: 'brakes', runId: A.ids.runId, vehicleId: 'nobody' })).status,
    ).toBe(404);
    // B has no model 'brakes' and cannot read A's vehicle either.
    expect(
      (await call(predictVehicle, B.apiKey.key, { model: 'brakes', runId: A.ids.runId, vehicleId: 'ego' })).status,
    ).toBe(404);
  });
});
