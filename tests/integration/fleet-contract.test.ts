import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { GET as health } from '~/app/health/route';
import { POST as promote } from '~/app/api/v1/models/[model]/aliases/[alias]/route';
import { POST as explain } from '~/app/api/v1/models/explain/route';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { POST as cancelJob } from '~/app/api/v1/training/jobs/[id]/cancel/route';
import { GET as getJob } from '~/app/api/v1/training/jobs/[id]/route';
import { POST as postJob } from '~/app/api/v1/training/jobs/route';
import { generateApiKey } from '~/server/auth/tokens';
import { TRAINING_PARAM_NAMES } from '~/server/contracts/training';
import { db } from '~/server/db';
import { stopSharedBoss } from '~/server/training/queue';
import { redis } from '~/server/store/redis';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { jsonRequest, spawnTrainer, uploadRequest, waitForJob } from '../helpers/training';

/**
 * The fleet ML service contract, called exactly as issue 17 writes the calls, against route
 * handlers on real Postgres, pg-boss, the trainer process, the object store and ONNX Runtime.
 * The org holds what the demo seeds: a `vehicle_maintenance` dataset with engine_temp and
 * vibration, and a `maintenance_predictor` trained on it.
 */
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });

/** Eight vehicles wearing out: temperature and vibration rise as the next service nears. */
function maintenanceTable(): string {
  const lines = ['vehicle,t,engine_temp,vibration,service_in'];
  for (let v = 0; v < 8; v++)
    for (let t = 0; t < 60; t++)
      lines.push(
        `v${v},${t},${(80 + 0.3 * t + Math.sin(t * 7 + v)).toFixed(3)},${(0.1 + 0.012 * t + 0.02 * Math.cos(t * 3 + v)).toFixed(4)},${60 - t}`,
      );
  return lines.join('\n');
}

const upload = (key: string) =>
  uploadDataset(
    uploadRequest(key, 'maintenance.csv', maintenanceTable(), {
      name: 'vehicle_maintenance',
      groupColumn: 'vehicle',
      orderColumn: 't',
      groupKind: 'vehicle',
      label: { type: 'column', column: 'service_in', kind: 'regression' },
    }),
  );

describe('fleet ML service contract, as its users call it', () => {
  let a: OrgFixture;
  let b: OrgFixture;
  let latestVersionId = '';
  let trainer: ReturnType<typeof spawnTrainer> | null = null;

  beforeAll(async () => {
    [a, b] = [await makeOrg('fleet-a'), await makeOrg('fleet-b')];
    expect((await upload(a.apiKey.key)).status).toBe(201);
    const second = await upload(a.apiKey.key);
    expect(second.status).toBe(201);
    latestVersionId = ((await second.json()) as { versionId: string }).versionId;
  });
  afterAll(async () => {
    if (trainer) expect(await trainer.stop()).toBe(0);
    await stopSharedBoss();
    redis().disconnect();
  });

  it('GET /health answers JSON, not the sign-in page', async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { status: string; services: unknown };
    expect(body.status).toBe('ok');
  });

  it('POST /api/v1/training/jobs takes model_type, dataset by name (latest version) and config', async () => {
    const res = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
        model_type: 'regression',
        dataset: 'vehicle_maintenance',
        config: { epochs: 100 },
      }),
    );
    expect(res.status).toBe(201);
    const { job } = (await res.json()) as { job: { id: string; kind: string; params: unknown; state: string } };
    expect(job).toMatchObject({
      kind: 'mlp-regressor',
      params: { epochs: 100 },
      state: 'queued',
      datasetVersionId: latestVersionId,
    });

    // GET /api/v1/training/jobs/{id}, then POST …/cancel; another org sees neither.
    const got = await getJob(jsonRequest(`/api/v1/training/jobs/${job.id}`, a.apiKey.key), ctx({ id: job.id }));
    expect(got.status).toBe(200);
    expect(((await got.json()) as { job: any }).job).toMatchObject({
      id: job.id,
      kind: 'mlp-regressor',
      dataset: { name: 'vehicle_maintenance', version: 2, versionId: latestVersionId },
      run: null,
    });
    expect(
      (await getJob(jsonRequest(`/api/v1/training/jobs/${job.id}`, b.apiKey.key), ctx({ id: job.id }))).status,
    ).toBe(404);
    expect(
      (await cancelJob(jsonRequest(`/api/v1/training/jobs/${job.id}/cancel`, b.apiKey.key, {}), ctx({ id: job.id })))
        .status,
    ).toBe(404);
    const cancelled = await cancelJob(
      jsonRequest(`/api/v1/training/jobs/${job.id}/cancel`, a.apiKey.key, {}),
      ctx({ id: job.id }),
    );
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { job: { state: string } }).job.state).toBe('cancelled');
  });

  it('an unknown config key is a 400 that lists the allowed ones; nothing is dropped', async () => {
    const res = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
        model_type: 'regression',
        dataset: 'vehicle_maintenance',
        config: { epochs: 100, learning_rate: 0.01 },
      }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string; message: string }[] };
    expect(body.issues[0]!.path).toBe('config');
    expect(body.issues[0]!.message).toContain('learning_rate');
    for (const name of TRAINING_PARAM_NAMES) expect(body.issues[0]!.message).toContain(name);

    const typo = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, { model_type: 'regresion', dataset: 'vehicle_maintenance' }),
    );
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as { issues: { message: string }[] }).issues[0]!.message).toContain(
      'regression → mlp-regressor',
    );
    const unknownDataset = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, { model_type: 'regression', dataset: 'nope' }),
    );
    expect(unknownDataset.status).toBe(404);
    // Another org's dataset of that name is as unknown as none.
    const cross = await postJob(
      jsonRequest('/api/v1/training/jobs', b.apiKey.key, { model_type: 'regression', dataset: 'vehicle_maintenance' }),
    );
    expect(cross.status).toBe(404);
    // A kind the dataset's labels cannot train says which model_type chose it.
    const misfit = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
        model_type: 'classification',
        dataset: 'vehicle_maintenance',
      }),
    );
    expect(misfit.status).toBe(400);
    expect(((await misfit.json()) as { error: string }).error).toContain('model_type "classification"');
  });

  it('datasetVersionId/kind/params keep working, and config next to them is kept', async () => {
    for (const extra of [{ params: { epochs: 7 } }, { config: { epochs: 7 } }]) {
      const res = await postJob(
        jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
          datasetVersionId: latestVersionId,
          kind: 'mlp-regressor',
          ...extra,
        }),
      );
      expect(res.status).toBe(201);
      const { job } = (await res.json()) as { job: { id: string; params: unknown } };
      expect(job.params).toEqual({ epochs: 7 });
      await cancelJob(jsonRequest('/x', a.apiKey.key, {}), ctx({ id: job.id }));
    }
  });

  it('trains maintenance_predictor, promotes it over REST (role- and gate-checked, audited), and predicts', async () => {
    trainer = spawnTrainer();
    const res = await postJob(
      jsonRequest('/api/v1/training/jobs', a.apiKey.key, {
        model_type: 'regression',
        dataset: 'vehicle_maintenance',
        modelName: 'maintenance_predictor',
        config: { epochs: 40, patience: 40 },
      }),
    );
    expect(res.status).toBe(201);
    const { job } = (await res.json()) as { job: { id: string } };
    const done = await waitForJob(job.id, (j) => j.state !== 'queued' && j.state !== 'running', 150_000);
    expect(done.state).toBe('completed');
    const model = await db.registeredModel.findFirstOrThrow({
      where: { orgId: a.org.id, name: 'maintenance_predictor' },
    });

    const engineerKey = generateApiKey();
    await db.apiKey.create({
      data: { orgId: a.org.id, name: 'eng', prefix: engineerKey.prefix, hash: engineerKey.hash, role: 'engineer' },
    });
    const url = '/api/v1/models/maintenance_predictor/aliases/production';
    const params = ctx({ model: 'maintenance_predictor', alias: 'production' });
    // production is a deployment: engineers may not move it; another org does not see the model.
    expect((await promote(jsonRequest(url, engineerKey.key, { version: 1 }), params)).status).toBe(403);
    expect((await promote(jsonRequest(url, b.apiKey.key, { version: 1 }), params)).status).toBe(404);
    // A gate that the version misses refuses the move (and the refusal is audited).
    const refused = await promote(
      jsonRequest(url, a.apiKey.key, { version: 1, gate: { metric: 'rmse', max: 0.000001 } }),
      params,
    );
    expect(refused.status).toBe(412);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^Gate refused/);
    expect((await promote(jsonRequest(url, a.apiKey.key, { version: 1, extra: true }), params)).status).toBe(400);

    const ok = await promote(jsonRequest(url, a.apiKey.key, { version: 1 }), params);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ model: 'maintenance_predictor', alias: 'production', version: 1 });
    const audits = await db.auditLog.findMany({
      where: { orgId: a.org.id, targetId: model.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(audits.map((x) => x.action)).toEqual(['model.promotion_refused', 'model.alias_promoted']);

    const call = async (body: unknown) => {
      const r = await predict(jsonRequest('/api/v1/models/predict', a.apiKey.key, body));
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const byName = await call({ model: 'maintenance_predictor', features: { engine_temp: 85, vibration: 0.3 } });
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({
      model: 'maintenance_predictor',
      version: 1,
      alias: 'production',
      kind: 'mlp-regressor',
    });
    expect(Number.isFinite(byName.body.prediction.score)).toBe(true);
    // A hotter, shakier engine is closer to its service.
    const worn = await call({ model: 'maintenance_predictor', features: { engine_temp: 97, vibration: 0.8 } });
    expect(worn.body.prediction.score).toBeLessThan(byName.body.prediction.score);
    // …and by model id.
    const byId = await call({ model: model.id, features: { engine_temp: 85, vibration: 0.3 } });
    expect(byId.status).toBe(200);
    expect(byId.body.prediction.score).toBeCloseTo(byName.body.prediction.score, 6);
    expect(
      (await predict(jsonRequest('/api/v1/models/predict', b.apiKey.key, { model: model.id, features: {} }))).status,
    ).toBe(404);

    // Registration kept a reference sample and permutation importance; explanations use the sample.
    const version = await callerFor(userCaller(a.users.viewer)).models.version({
      org: a.org.slug,
      id: done.modelVersionId!,
    });
    expect(version.importance?.metric).toBe('mse');
    expect(version.importance?.features.map((f) => f.feature).sort()).toEqual(['engine_temp', 'vibration']);
    expect(version.importance!.features[0]!.importance).toBeGreaterThan(0);
    const why = await explain(
      jsonRequest('/api/v1/models/explain', a.apiKey.key, {
        model: 'maintenance_predictor',
        features: { engine_temp: 85, vibration: 0.3 },
      }),
    );
    expect(why.status).toBe(200);
    const e = ((await why.json()) as { explanation: any }).explanation;
    expect(e).toMatchObject({ method: 'kernel-shap', exact: true, background: { source: 'training-sample' } });
    expect(e.background.rows).toBeGreaterThan(1);
    expect(e.base + e.contributions.reduce((x: number, c: any) => x + c.contribution, 0)).toBeCloseTo(
      byName.body.prediction.score,
      3,
    );
  }, 200_000);
});
