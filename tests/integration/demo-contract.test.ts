import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as unknownRoute } from '~/app/api/v1/[[...path]]/route';
import { POST as feedback } from '~/app/api/v1/feedback/route';
import { POST as promote } from '~/app/api/v1/models/[model]/aliases/[alias]/route';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { GET as openapi } from '~/app/api/v1/openapi.json/route';
import { POST as cancelJob } from '~/app/api/v1/training/jobs/[id]/cancel/route';
import { GET as getJob } from '~/app/api/v1/training/jobs/[id]/route';
import { POST as postJob } from '~/app/api/v1/training/jobs/route';
import { GET as health } from '~/app/health/route';
import {
  ANOMALY_FEATURES,
  ANOMALY_MODEL,
  MAINTENANCE_MODEL,
  predictCurl,
  seedDemoModels,
} from '~/scripts/lib/demo-models';
import { FEATURE_SET } from '~/server/contracts/features';
import { TRAINING_PARAM_NAMES } from '~/server/contracts/training';
import { db } from '~/server/db';
import { disconnectSharedProducer } from '~/server/kafka/producer';
import { redis } from '~/server/store/redis';
import { stopSharedBoss } from '~/server/training/queue';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';
import { jsonRequest } from '../helpers/training';

/**
 * What `npm run demo` seeds (scripts/lib/demo-models.ts), then every fleet ML service contract call
 * of issue 17, exactly as written there, against it: real Postgres, pg-boss, the trainer's job
 * runner, the object store, Kafka (dl.models) and ONNX Runtime. The predict call is the one the
 * demo prints as curl, taken apart and sent as written.
 */
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
let a: OrgFixture;
let demoKey = '';

beforeAll(async () => {
  a = await makeOrg('demo-contract');
  demoKey = (await seedDemoModels(db, { orgId: a.org.id, userId: a.users.owner.id })).apiKey;
}, 300_000);

afterAll(async () => {
  await stopSharedBoss();
  await disconnectSharedProducer();
  redis().disconnect();
});

describe('the demo seeds models that work, and the fleet contract works on them as written', () => {
  it('seeds vehicle_maintenance, maintenance_predictor and an anomaly model, each deployed as production', async () => {
    const ds = await db.dataset.findFirstOrThrow({ where: { orgId: a.org.id, name: 'vehicle_maintenance' } });
    const dv = await db.datasetVersion.findFirstOrThrow({ where: { datasetId: ds.id } });
    expect([...dv.featureNames].sort()).toEqual(['engine_temp', 'vibration']);
    for (const name of [MAINTENANCE_MODEL, ANOMALY_MODEL]) {
      const alias = await db.modelAlias.findFirst({ where: { name: 'production', model: { orgId: a.org.id, name } } });
      expect(alias, name).not.toBeNull();
    }
    const maint = await db.modelVersion.findFirstOrThrow({
      where: { model: { orgId: a.org.id, name: MAINTENANCE_MODEL } },
    });
    expect(maint.kind).toBe('mlp-regressor');
    expect([...maint.featureNames].sort()).toEqual(['engine_temp', 'vibration']);
    // The anomaly model watches windows the features worker really emits, vibration included.
    const ae = await db.modelVersion.findFirstOrThrow({ where: { model: { orgId: a.org.id, name: ANOMALY_MODEL } } });
    expect(ae.kind).toBe('autoencoder');
    expect(ae.featureNames).toEqual(ANOMALY_FEATURES);
    for (const f of ae.featureNames) expect(FEATURE_SET.names).toContain(f);
    expect(ae.featureNames).toContain('vibration_mean');
    expect(ae.threshold).toBeGreaterThan(0);
    // Seeding again changes nothing but the demo key.
    const again = await seedDemoModels(db, { orgId: a.org.id, userId: a.users.owner.id });
    expect(again.apiKey).not.toBe(demoKey);
    demoKey = again.apiKey;
    expect(
      await db.modelVersion.count({
        where: { orgId: a.org.id, model: { name: { in: [MAINTENANCE_MODEL, ANOMALY_MODEL] } } },
      }),
    ).toBe(2);
  });

  it('POST /api/v1/models/predict {"model":"maintenance_predictor","features":{"engine_temp":85,"vibration":0.3}}, as the demo prints it', async () => {
    const curl = predictCurl('http://127.0.0.1:3000', demoKey);
    const body = /-d '([^']+)'/.exec(curl)![1]!;
    expect(body).toBe('{"model":"maintenance_predictor","features":{"engine_temp":85,"vibration":0.3}}');
    const key = /Bearer ([^']+)'/.exec(curl)![1]!;
    const res = await predict(jsonRequest('/api/v1/models/predict', key, body));
    expect(res.status).toBe(200);
    const out = (await res.json()) as Record<string, any>;
    expect(out).toMatchObject({ model: MAINTENANCE_MODEL, alias: 'production', kind: 'mlp-regressor', version: 1 });
    expect(Number.isFinite(out.prediction.score)).toBe(true);
    // A hotter, shakier engine is closer to its service.
    const worn = await predict(
      jsonRequest('/api/v1/models/predict', key, {
        model: MAINTENANCE_MODEL,
        features: { engine_temp: 104, vibration: 1.6 },
      }),
    );
    expect((await worn.json()).prediction.score).toBeLessThan(out.prediction.score);
    // The predictionId takes the observed outcome back.
    const fb = await feedback(jsonRequest('/api/v1/feedback', key, { predictionId: out.predictionId, observed: 30 }));
    expect(fb.status).toBe(200);
    expect((await fb.json()).outcomes.variants[0].outcome.n).toBe(1);
  });

  it('GET /health, training jobs by model_type/dataset/config, job status and cancel, promote, JSON 404s, OpenAPI', async () => {
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.headers.get('content-type')).toMatch(/^application\/json/);

    const res = await postJob(
      jsonRequest('/api/v1/training/jobs', demoKey, {
        model_type: 'regression',
        dataset: 'vehicle_maintenance',
        config: { epochs: 100 },
      }),
    );
    expect(res.status).toBe(201);
    const { job } = (await res.json()) as { job: { id: string; kind: string; params: unknown } };
    expect(job).toMatchObject({ kind: 'mlp-regressor', params: { epochs: 100 } });
    const got = await getJob(jsonRequest(`/api/v1/training/jobs/${job.id}`, demoKey), ctx({ id: job.id }));
    expect(got.status).toBe(200);
    expect((await got.json()).job.dataset.name).toBe('vehicle_maintenance');
    const cancelled = await cancelJob(
      jsonRequest(`/api/v1/training/jobs/${job.id}/cancel`, demoKey, {}),
      ctx({ id: job.id }),
    );
    expect((await cancelled.json()).job.state).toBe('cancelled');

    const unknownKey = await postJob(
      jsonRequest('/api/v1/training/jobs', demoKey, {
        model_type: 'regression',
        dataset: 'vehicle_maintenance',
        config: { epochs: 100, learning_rate: 0.01 },
      }),
    );
    expect(unknownKey.status).toBe(400);
    const msg = (await unknownKey.json()).issues[0].message as string;
    for (const name of TRAINING_PARAM_NAMES) expect(msg).toContain(name);

    // Promote is admin work on production; the demo key (engineer) may move staging.
    const staging = await promote(
      jsonRequest(`/api/v1/models/${MAINTENANCE_MODEL}/aliases/staging`, demoKey, { version: 1 }),
      ctx({ model: MAINTENANCE_MODEL, alias: 'staging' }),
    );
    expect(staging.status).toBe(200);
    const prod = await promote(
      jsonRequest(`/api/v1/models/${MAINTENANCE_MODEL}/aliases/production`, demoKey, { version: 1 }),
      ctx({ model: MAINTENANCE_MODEL, alias: 'production' }),
    );
    expect(prod.status).toBe(403);

    const missing = unknownRoute(jsonRequest('/api/v1/nope', demoKey));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/No API route/);
    const doc = (await openapi().json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/models/predict', '/api/v1/feedback']));
  });
});
