import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as explainRoute } from '~/app/api/v1/models/explain/route';
import { db } from '~/server/db';
import { registerModelVersion } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';
import { createRedis, redis as sharedRedis } from '~/server/store/redis';
import { servingCache } from '~/server/inference/serving';
import { scoresOf } from '~/server/inference/scoring';
import { selectBackend } from '~/workers/trainer/backend';
import { trainMlpRegressor } from '~/workers/trainer/models/mlp-regressor';
import { exportOnnx } from '~/workers/trainer/onnx/export';
import { seededRandom } from '~/server/random';
import type { InferenceWorker } from '~/workers/inference/worker';
import { startTestInferenceWorker } from '../helpers/inference-worker';
import { isolatedTopics } from '../helpers/kafka';
import { registerAutoencoder, setAlias, FEATURES, featureRows } from '~/scripts/fixtures/models';
import { makeOrg, type OrgFixture } from '../helpers/tenancy';
import { jsonRequest } from '../helpers/training';

/**
 * Explanations through ONNX Runtime: a linear model (an MLP regressor without hidden layers:
 * standardise → dense → unscale, all affine) has exact Shapley values
 * φ_j = E_b[f(b with b_j := x_j)] − E_b[f(b)], computed here from model outputs alone.
 */
const M = 32;
const names = Array.from({ length: M }, (_, j) => `f${j}`);

function gaussianRows(seed: number, n: number): number[][] {
  const u = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return Array.from({ length: n }, () => names.map((_, j) => 5 + (1 + (j % 4)) * g()));
}

let A: OrgFixture;
let B: OrgFixture;
let background: number[][];
let worker: InferenceWorker | null = null;
let topics: Awaited<ReturnType<typeof isolatedTopics>> | null = null;
const workerRedis = createRedis();

beforeAll(async () => {
  [A, B] = [await makeOrg('explain-a'), await makeOrg('explain-b')];
  await selectBackend({ exclude: ['webgpu'] });
  const weights = names.map((_, j) => ((j * 7) % 11) / 5 - 1);
  const train = gaussianRows(1, 400);
  const target = (r: number[]) => 3 + r.reduce((a, v, j) => a + weights[j]! * v, 0);
  const validation = gaussianRows(2, 100);
  const matrix = (rows: number[][]) => ({ values: Float32Array.from(rows.flat()), rows: rows.length, cols: M });
  const trained = await trainMlpRegressor({
    train: matrix(train),
    trainTargets: train.map(target),
    validation: matrix(validation),
    validationTargets: validation.map(target),
    featureNames: names,
    targetName: 'y',
    hyperparameters: { hidden: [], seed: 3 },
    fit: { epochs: 5, batchSize: 64, patience: 5 },
  });
  const { bytes, sidecar } = exportOnnx(trained);
  background = gaussianRows(9, 8);
  const v = await registerModelVersion(
    db,
    {
      orgId: A.org.id,
      modelName: 'linear',
      kind: 'mlp-regressor',
      featureNames: names,
      metrics: {},
      onnx: bytes,
      sidecar,
      background,
      inputShape: [M],
      outputShape: [1],
    },
    objectStore(),
  );
  await setAlias(A.org.id, v.modelId, 'production', v.id);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await topics?.cleanup();
  workerRedis.disconnect();
  sharedRedis().disconnect();
});

/** The model's scores for rows, through the same ONNX session the API uses. */
async function f(rows: number[][]): Promise<Float64Array> {
  const { session } = await (await servingCache()).resolve(A.org.id, 'linear');
  return scoresOf(session.spec, await session.infer(Float32Array.from(rows.flat()), rows.length), rows.length);
}

async function exactLinearShapley(x: number[]): Promise<number[]> {
  const base = (await f(background)).reduce((a, b) => a + b, 0) / background.length;
  const out: number[] = [];
  for (let j = 0; j < M; j++) {
    const swapped = await f(background.map((b) => b.map((v, k) => (k === j ? x[j]! : v))));
    out.push(swapped.reduce((a, b) => a + b, 0) / background.length - base);
  }
  return out;
}

describe('explanations', () => {
  it('POST /api/v1/models/explain: a linear model gets its exact Shapley values (1e-3)', async () => {
    const x = gaussianRows(42, 1)[0]!;
    const features = Object.fromEntries(names.map((n, j) => [n, x[j]!]));
    const res = await explainRoute(jsonRequest('/api/v1/models/explain', A.apiKey.key, { model: 'linear', features }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.explanation).toMatchObject({
      method: 'kernel-shap',
      background: { rows: 8, source: 'training-sample' },
    });
    const got = new Map<string, number>(body.explanation.contributions.map((c: any) => [c.feature, c.contribution]));
    const exact = await exactLinearShapley(x.map(Math.fround));
    for (let j = 0; j < M; j++) expect(Math.abs(got.get(names[j]!)! - exact[j]!)).toBeLessThan(1e-3);
    // Largest first, and base + Σ = the score the predict API gives.
    const abs = body.explanation.contributions.map((c: any) => Math.abs(c.contribution));
    expect(abs).toEqual([...abs].sort((a: number, b: number) => b - a));
    const sum = body.explanation.contributions.reduce((a: number, c: any) => a + c.contribution, 0);
    expect(body.explanation.base + sum).toBeCloseTo(body.prediction.score, 3);
    // Another org's key: the same 404 as no model.
    expect(
      (await explainRoute(jsonRequest('/api/v1/models/explain', B.apiKey.key, { model: 'linear', features }))).status,
    ).toBe(404);
  });

  it('POST /v2/models/{name}/explain on the inference worker: same values over OIP', async () => {
    const auto = await registerAutoencoder(A.org.id, 'wear', 5, { epochs: 5 });
    await setAlias(A.org.id, auto.modelId, 'production', auto.id);
    topics = await isolatedTopics('explain', 1);
    worker = await startTestInferenceWorker(
      'explain',
      {},
      {
        kafka: topics.kafka,
        redis: workerRedis,
        prefix: topics.prefix,
        streaming: false,
      },
    );
    const base = `http://127.0.0.1:${worker.httpPort}`;
    const x = gaussianRows(43, 2);
    const call = (model: string, rows: number[][], key = A.apiKey.key) =>
      fetch(`${base}/v2/models/${model}/explain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: 'features', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() }],
        }),
      });
    const res = await call('linear', x);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] };
    const shap = body.outputs.find((o) => o.name === 'shap_values')!;
    expect(shap.shape).toEqual([2, M]);
    for (let r = 0; r < 2; r++) {
      const exact = await exactLinearShapley(x[r]!.map(Math.fround));
      for (let j = 0; j < M; j++) expect(Math.abs(shap.data[r * M + j]! - exact[j]!)).toBeLessThan(1e-3);
    }
    // An autoencoder without a stored background is explained against its training means: still additive.
    const ae = await call('wear', featureRows(7, 1, true));
    expect(ae.status).toBe(200);
    const aeBody = (await ae.json()) as { outputs: { name: string; data: number[] }[] };
    const values = aeBody.outputs.find((o) => o.name === 'shap_values')!.data;
    const baseValue = aeBody.outputs.find((o) => o.name === 'base_value')!.data[0]!;
    const score = aeBody.outputs.find((o) => o.name === 'score')!.data[0]!;
    expect(values).toHaveLength(FEATURES.length);
    expect(baseValue + values.reduce((a, b) => a + b, 0)).toBeCloseTo(score, 3);
    expect((await call('linear', x, B.apiKey.key)).status).toBe(404);
  }, 180_000);
});
