import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as explain } from '~/app/api/v1/models/explain/route';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { POST as upload } from '~/app/api/v1/models/upload/route';
import { generateApiKey } from '~/server/auth/tokens';
import { db } from '~/server/db';
import { EXPLAIN_BACKGROUND_ROWS } from '~/server/explain/explain';
import { apiServingWindows } from '~/server/drift/serving';
import { createKafka } from '~/server/kafka/client';
import { createRedis } from '~/server/store/redis';
import { redis as sharedRedis } from '~/server/store/redis';
import { linearOnnx } from '~/scripts/fixtures/byo-onnx';
import { setAlias } from '~/scripts/fixtures/models';
import type { InferenceWorker } from '~/workers/inference/worker';
import { startTestInferenceWorker } from '../helpers/inference-worker';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';

/**
 * Bring your own ONNX: a model built outside DriveLab (laid out as skl2onnx writes a linear
 * regressor) uploaded through the route handler, checked in ONNX Runtime, served over the predict
 * API, explanations and OIP v2 by the inference worker, and summarised in drift windows; bad
 * uploads are clear 400s and an oversized one a 413.
 */
let A: OrgFixture;
let B: OrgFixture;
let worker: InferenceWorker;
const redis = createRedis();
const FEATURES = ['engine_temp', 'vibration', 'speed'];
const W = [0.5, -2, 0.1];
const BIAS = 3;
const linear = (x: number[]) => x.reduce((a, v, j) => a + v * W[j]!, BIAS);

function uploadRequest(key: string | null, file: Uint8Array | null, options: unknown) {
  const form = new FormData();
  if (file) form.set('file', new Blob([Buffer.from(file)]), 'model.onnx');
  form.set('options', typeof options === 'string' ? options : JSON.stringify(options));
  return upload(
    new Request('http://localhost/api/v1/models/upload', {
      method: 'POST',
      headers: key ? { authorization: `Bearer ${key}` } : {},
      body: form,
    }),
  );
}

const json = (handler: (r: Request) => Promise<Response>, key: string, body: unknown) =>
  handler(
    new Request('http://localhost/api/v1/models/x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );

const reference = Array.from({ length: 300 }, (_, i) => [80 + (i % 20), 0.2 + (i % 7) * 0.05, 10 + (i % 30)]);

beforeAll(async () => {
  A = await makeOrg('byoa');
  B = await makeOrg('byob');
  worker = await startTestInferenceWorker(
    'byo-test',
    { INFERENCE_RECONCILE_S: '1' },
    {
      kafka: createKafka({ clientId: 'byo-test' }),
      redis,
      streaming: false,
    },
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  redis.disconnect();
  sharedRedis().disconnect();
});

describe('POST /api/v1/models/upload', () => {
  let versionId = '';
  let modelId = '';

  it('registers an uploaded ONNX model as a new version, checked in ONNX Runtime', async () => {
    const res = await uploadRequest(A.apiKey.key, linearOnnx(W, BIAS), {
      name: 'engine-wear',
      task: 'regression',
      featureNames: FEATURES,
      threshold: 50,
      reference,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'engine-wear',
      version: 1,
      kind: 'mlp-regressor',
      featureNames: FEATURES,
      input: 'float_input',
      scoreOutput: 'variable',
      reference: 300,
    });
    versionId = body.versionId as string;
    modelId = body.modelId as string;
    const row = await db.modelVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect(row).toMatchObject({ orgId: A.org.id, threshold: 50, inputShape: [3], outputShape: [1] });
    await setAlias(A.org.id, modelId, 'production', versionId);
  });

  it('is served by the predict API, with explanations equal to the exact Shapley values of a linear model', async () => {
    const x = [85, 0.3, 20];
    const res = await json(predict, A.apiKey.key, {
      model: 'engine-wear',
      features: { engine_temp: 85, vibration: 0.3, speed: 20 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: number; prediction: { score: number; label: unknown } };
    expect(body.version).toBe(1);
    expect(body.prediction.score).toBeCloseTo(linear(x), 4);

    const e = await json(explain, A.apiKey.key, {
      model: 'engine-wear',
      features: { engine_temp: 85, vibration: 0.3, speed: 20 },
    });
    expect(e.status).toBe(200);
    const ex = (await e.json()) as { explanation: { contributions: { feature: string; contribution: number }[] } };
    // For f(x) = w·x + b over a background B: φ_j = w_j (x_j − mean_B(x_j)); the background is the reference.
    // The registry keeps 100 evenly spread reference rows; explanations take EXPLAIN_BACKGROUND_ROWS of them evenly.
    const even = <T>(xs: T[], n: number) => Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
    const bg = even(even(reference, 100), EXPLAIN_BACKGROUND_ROWS);
    for (const c of ex.explanation.contributions) {
      const j = FEATURES.indexOf(c.feature);
      const mean = bg.reduce((a, r) => a + r[j]!, 0) / bg.length;
      expect(c.contribution).toBeCloseTo(W[j]! * (x[j]! - mean), 3);
    }

    // What the predict API served is in its drift window.
    await (await apiServingWindows()).flush(true);
    const windows = await db.driftWindow.findMany({ where: { modelVersionId: versionId, source: 'api' } });
    expect(windows.reduce((a, w) => a + w.rows, 0)).toBeGreaterThanOrEqual(1);
    expect(windows[0]!.featureNames).toEqual(FEATURES);

    // Another org does not see it.
    const other = await json(predict, B.apiKey.key, {
      model: 'engine-wear',
      features: { engine_temp: 85, vibration: 0.3, speed: 20 },
    });
    expect(other.status).toBe(404);
  });

  it('is served over the Open Inference Protocol by the inference worker', async () => {
    await worker.registry.loadAll();
    const base = `http://127.0.0.1:${worker.httpPort}`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${A.apiKey.key}` };
    const meta = (await (await fetch(`${base}/v2/models/engine-wear`, { headers })).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      name: 'engine-wear',
      inputs: [{ name: 'float_input', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'variable', datatype: 'FP32' }],
    });
    const rows = [
      [85, 0.3, 20],
      [90, 1.5, 5],
    ];
    const res = await fetch(`${base}/v2/models/engine-wear/infer`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [2, 3], datatype: 'FP32', data: rows.flat() }] }),
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] };
    expect(out.outputs[0]!.name).toBe('variable');
    expect(out.outputs[0]!.shape).toEqual([2, 1]);
    out.outputs[0]!.data.forEach((v, i) => expect(v).toBeCloseTo(linear(rows[i]!), 4));
  });

  it('applies declared preprocessing before the model (version 2)', async () => {
    const mean = [80, 0.5, 15];
    const std = [10, 0.25, 5];
    const res = await uploadRequest(A.apiKey.key, linearOnnx(W, BIAS), {
      name: 'engine-wear',
      task: 'regression',
      featureNames: FEATURES,
      preprocessing: { standardize: { mean, std } },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ version: 2 });
    const p = await json(predict, A.apiKey.key, {
      model: 'engine-wear',
      version: 2,
      features: { engine_temp: 85, vibration: 0.3, speed: 20 },
    });
    expect(p.status).toBe(200);
    const z = [85, 0.3, 20].map((v, j) => (v - mean[j]!) / std[j]!);
    expect(((await p.json()) as { prediction: { score: number } }).prediction.score).toBeCloseTo(linear(z), 4);
  });

  it('refuses bad models with a clear 400, a file over 64 MiB with a 413, and viewers with a 403', async () => {
    const ok = { name: 'bad', task: 'regression', featureNames: FEATURES };
    const garbage = await uploadRequest(A.apiKey.key, new TextEncoder().encode('not a model'), ok);
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toMatch(/ONNX Runtime cannot load/);

    const width = await uploadRequest(A.apiKey.key, linearOnnx(W, BIAS), { ...ok, featureNames: ['a', 'b'] });
    expect(width.status).toBe(400);
    expect(((await width.json()) as { error: string }).error).toMatch(
      /takes 3 features but 2 feature names were declared/,
    );

    const output = await uploadRequest(A.apiKey.key, linearOnnx(W, BIAS), { ...ok, output: 'probabilities' });
    expect(output.status).toBe(400);
    expect(((await output.json()) as { error: string }).error).toMatch(
      /no output 'probabilities'; its outputs are variable/,
    );

    const noFile = await uploadRequest(A.apiKey.key, null, ok);
    expect(noFile.status).toBe(400);
    const badOptions = await uploadRequest(A.apiKey.key, linearOnnx(W, BIAS), { ...ok, task: 'poetry' });
    expect(badOptions.status).toBe(400);

    const huge = await uploadRequest(A.apiKey.key, new Uint8Array(65 * 1024 * 1024), ok);
    expect(huge.status).toBe(413);

    const k = generateApiKey();
    await db.apiKey.create({
      data: { orgId: A.org.id, name: 'viewer', prefix: k.prefix, hash: k.hash, role: 'viewer' },
    });
    const denied = await uploadRequest(k.key, linearOnnx(W, BIAS), ok);
    expect(denied.status).toBe(403);
    expect(await db.registeredModel.count({ where: { orgId: A.org.id, name: 'bad' } })).toBe(0);
  });
});
