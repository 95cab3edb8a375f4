import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresKey, FEATURE_SET, type FeaturesMessage } from '~/server/contracts/features';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import {
  alertMessageSchema,
  predictionMessageSchema,
  type AlertMessage,
  type PredictionMessage,
} from '~/server/contracts/predictions';
import { db } from '~/server/db';
import { createProducer } from '~/server/kafka/client';
import { encodeMessage } from '~/server/kafka/messages';
import { TOPICS } from '~/server/kafka/topics';
import { createRedis } from '~/server/store/redis';
import { routesToCanary } from '~/server/inference/canary';
import type { InferenceWorker } from '~/workers/inference/worker';
import { featureWindow } from '~/scripts/fixtures/feature-windows';
import { startTestInferenceWorker } from '../helpers/inference-worker';
import { collect, isolatedTopics } from '../helpers/kafka';
import { announce, FEATURES, featureRows, registerAutoencoder, setAlias } from '~/scripts/fixtures/models';
import { waitFor } from '../helpers/pipeline';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import fc from 'fast-check';
import { count, fuzzParams, hostileValue, printCounts } from '../helpers/fuzz';

/** The fixture autoencoder's width: every feature of the feature set. */
const N = FEATURES.length;

// The inference worker in process against the real broker, Postgres, Redis and ONNX Runtime,
// serving autoencoders trained by the trainer core in this file's setup.
let topics: Awaited<ReturnType<typeof isolatedTopics>>;
let kafka: Kafka;
let worker: InferenceWorker;
let base: string;
let A: OrgFixture;
let B: OrgFixture;
const redis = createRedis();
const models: Record<string, { modelId: string; v: Record<number, string> }> = {};

async function register(org: OrgFixture, name: string, seeds: number[]) {
  const v: Record<number, string> = {};
  let modelId = '';
  for (const seed of seeds) {
    const row = await registerAutoencoder(org.org.id, name, seed, { epochs: 15 });
    v[row.version] = row.id;
    modelId = row.modelId;
  }
  models[`${org.org.slug}/${name}`] = { modelId, v };
  return { modelId, v };
}

function req(path: string, key: string | null, init: RequestInit = {}) {
  return fetch(`${base}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

const row = (seed = 1, fault = false) => featureRows(seed, 1, fault)[0]!;
const inferBody = (rows: number[][], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    inputs: [{ name: 'features', shape: [rows.length, FEATURES.length], datatype: 'FP32', data: rows.flat() }],
    ...extra,
  });

beforeAll(async () => {
  topics = await isolatedTopics('inference', 2);
  kafka = topics.kafka;
  A = await makeOrg('infa');
  B = await makeOrg('infb');
  const wear = await register(A, 'wear', [11, 22]);
  await setAlias(A.org.id, wear.modelId, 'production', wear.v[1]!);
  const swap = await register(A, 'swap', [31, 32]);
  await setAlias(A.org.id, swap.modelId, 'production', swap.v[1]!);
  const bWear = await register(B, 'wear', [41]);
  await setAlias(B.org.id, bWear.modelId, 'production', bWear.v[1]!);
  await register(B, 'b-only', [51]);
  await setAlias(
    B.org.id,
    models[`${B.org.slug}/b-only`]!.modelId,
    'production',
    models[`${B.org.slug}/b-only`]!.v[1]!,
  );
  worker = await startTestInferenceWorker(
    'inf-test',
    { INFERENCE_ALERT_K: '3', INFERENCE_ALERT_N: '5', INFERENCE_STATS_INTERVAL_MS: '200', INFERENCE_RECONCILE_S: '1' },
    {
      kafka,
      redis,
      prefix: topics.prefix,
      fromBeginning: true,
    },
  );
  base = `http://127.0.0.1:${worker.httpPort}`;
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await topics?.cleanup();
  redis.disconnect();
});

describe('Open Inference Protocol v2', () => {
  it('serves server metadata and health without a key', async () => {
    expect(await (await req('/v2', null)).json()).toMatchObject({
      name: 'drivelab-inference',
      version: expect.any(String),
      extensions: [],
    });
    expect((await req('/v2/health/live', null)).status).toBe(200);
    const ready = await req('/v2/health/ready', null);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it('describes a model: inputs and outputs with datatype and shape, versions, provider', async () => {
    const res = await req('/v2/models/wear', A.apiKey.key);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      name: 'wear',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, N] }],
      outputs: [
        { name: 'reconstruction', datatype: 'FP32', shape: [-1, N] },
        { name: 'score', datatype: 'FP32', shape: [-1, 1] },
        { name: 'is_anomaly', datatype: 'BOOL', shape: [-1, 1] },
      ],
      parameters: {
        version: 1,
        version_id: models[`${A.org.slug}/wear`]!.v[1],
        execution_provider: 'cpu',
        kind: 'autoencoder',
        feature_names: [...FEATURE_SET.names],
      },
    });
    const v2 = await (await req('/v2/models/wear/versions/2', A.apiKey.key)).json();
    expect(v2).toMatchObject({
      name: 'wear',
      versions: ['2'],
      parameters: { version: 2, version_id: models[`${A.org.slug}/wear`]!.v[2] },
    });
    expect(await (await req('/v2/models/wear/ready', A.apiKey.key)).json()).toEqual({ name: 'wear', ready: true });
    expect(await (await req('/v2/models/wear/versions/2/ready', A.apiKey.key)).json()).toEqual({
      name: 'wear',
      version: '2',
      ready: true,
    });
  });

  it('infers one row and several rows, with output shapes and datatypes per the metadata', async () => {
    const one = await req('/v2/models/wear/infer', A.apiKey.key, {
      method: 'POST',
      body: inferBody([row(1)], { id: 'req-1' }),
    });
    expect(one.status).toBe(200);
    const r1 = (await one.json()) as {
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
      parameters: Record<string, unknown>;
    };
    expect(r1).toMatchObject({
      model_name: 'wear',
      model_version: '1',
      id: 'req-1',
      parameters: { alias: 'production', execution_provider: 'cpu' },
    });
    expect(r1.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['reconstruction', 'FP32', [1, N]],
      ['score', 'FP32', [1, 1]],
      ['is_anomaly', 'BOOL', [1, 1]],
    ]);
    expect(r1.outputs[1]!.data[0]).toEqual(expect.any(Number));
    expect(r1.outputs[2]!.data).toEqual([false]);

    // Nested data and a subset of outputs; the faulty row must score far higher.
    const nested = {
      inputs: [{ name: 'features', shape: [2, N], datatype: 'FP32', data: [row(2), row(3, true)] }],
      outputs: [{ name: 'score' }, { name: 'is_anomaly' }],
    };
    const r2 = (await (
      await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: JSON.stringify(nested) })
    ).json()) as typeof r1;
    expect(r2.outputs.map((o) => o.name)).toEqual(['score', 'is_anomaly']);
    expect(r2.outputs[0]!.shape).toEqual([2, 1]);
    const [normal, faulty] = r2.outputs[0]!.data as number[];
    expect(faulty!).toBeGreaterThan(normal! * 10);
    expect(r2.outputs[1]!.data).toEqual([false, true]);
  });

  it('routes to an explicit version', async () => {
    const body = inferBody([row(4)]);
    const v1 = (await (
      await req('/v2/models/wear/versions/1/infer', A.apiKey.key, { method: 'POST', body })
    ).json()) as { model_version: string; outputs: { data: number[] }[]; parameters: Record<string, unknown> };
    const v2 = (await (
      await req('/v2/models/wear/versions/2/infer', A.apiKey.key, { method: 'POST', body })
    ).json()) as typeof v1;
    expect(v1.model_version).toBe('1');
    expect(v2.model_version).toBe('2');
    expect(v2.parameters.version_id).toBe(models[`${A.org.slug}/wear`]!.v[2]);
    expect(v1.outputs[1]!.data[0]).not.toBe(v2.outputs[1]!.data[0]);
  });

  it('answers bad requests with 400 {"error"} and unknown models or versions with 404 {"error"}', async () => {
    const cases: [string, string, string | undefined, number, RegExp][] = [
      ['POST', '/v2/models/wear/infer', 'not json', 400, /JSON/],
      ['POST', '/v2/models/wear/infer', JSON.stringify({ inputs: [] }), 400, /at least one input/],
      [
        'POST',
        '/v2/models/wear/infer',
        JSON.stringify({ inputs: [{ name: 'x', shape: [1, N], datatype: 'FP32', data: row() }] }),
        400,
        /unknown input 'x'/,
      ],
      [
        'POST',
        '/v2/models/wear/infer',
        JSON.stringify({ inputs: [{ name: 'features', shape: [1, N - 1], datatype: 'FP32', data: row().slice(1) }] }),
        400,
        new RegExp(`shape \\[1,${N - 1}\\]; expected \\[-1,${N}\\]`),
      ],
      [
        'POST',
        '/v2/models/wear/infer',
        JSON.stringify({ inputs: [{ name: 'features', shape: [1, N], datatype: 'INT64', data: row() }] }),
        400,
        /datatype INT64; expected FP32/,
      ],
      [
        'POST',
        '/v2/models/wear/infer',
        JSON.stringify({ inputs: [{ name: 'features', shape: [2, N], datatype: 'FP32', data: row() }] }),
        400,
        new RegExp(`has ${N} values; shape \\[2,${N}\\] needs ${2 * N}`),
      ],
      [
        'POST',
        '/v2/models/wear/infer',
        JSON.stringify({
          inputs: [{ name: 'features', shape: [1, N], datatype: 'FP32', data: [...row().slice(1), 'x'] }],
        }),
        400,
        /finite number/,
      ],
      [
        'POST',
        '/v2/models/wear/infer',
        inferBody([row()], { outputs: [{ name: 'nope' }] }),
        400,
        /unknown output\(s\) nope/,
      ],
      ['POST', '/v2/models/ghost/infer', inferBody([row()]), 404, /model 'ghost' not found/],
      ['GET', '/v2/models/ghost', undefined, 404, /model 'ghost' not found/],
      ['GET', '/v2/models/wear/versions/9', undefined, 404, /version 9 not found/],
      ['GET', '/v2/models/wear/versions/x1', undefined, 400, /positive integer/],
      ['GET', '/v2/models/wear/infer', undefined, 405, /POST/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const res = await req(path, A.apiKey.key, { method, body });
      expect({ path, body: body?.slice(0, 40), status: res.status }).toEqual({
        path,
        body: body?.slice(0, 40),
        status,
      });
      // The one error shape (server/errors.ts): a short message, its code and the issues.
      const json = (await res.json()) as { error: string; code: string; issues: unknown[] };
      expect(Object.keys(json).sort()).toEqual(['code', 'error', 'issues']);
      expect(json.error).toMatch(error);
    }
  });

  it('bad input never crashes or resets the connection (issue 19)', async () => {
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; code: string; issues: unknown[] };
      expect(body).toMatchObject({ code });
      expect(typeof body.error).toBe('string');
      expect(Array.isArray(body.issues)).toBe(true);
      return body;
    };
    // Over the 16 MiB limit: a 413 with the standard body, not a TCP reset (declared and chunked).
    const big = 'x'.repeat(17 * 1024 * 1024);
    await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: big }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 17; i++) c.enqueue(new Uint8Array(1024 * 1024).fill(32));
        c.close();
      },
    });
    await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // Deep nesting: in the JSON (refused before parsing) and inside the tensor data.
    await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, {
        method: 'POST',
        body: `{"inputs":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      }),
      400,
      'BAD_REQUEST',
    );
    const nested = {
      inputs: [
        {
          name: 'features',
          shape: [1, N],
          datatype: 'FP32',
          data: JSON.parse(`${'['.repeat(300)}1${']'.repeat(300)}`) as unknown,
        },
      ],
    };
    const deepData = await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: JSON.stringify(nested) }),
      400,
      'BAD_REQUEST',
    );
    expect(deepData.error).toMatch(/deeper than the shape/);
    // Beyond float32 (would be Infinity in the model) and NUL in strings.
    const huge = await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, {
        method: 'POST',
        body: inferBody([[1e39, ...row().slice(1)]]),
      }),
      400,
      'BAD_REQUEST',
    );
    expect(huge.error).toMatch(/float32/);
    await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, {
        method: 'POST',
        body: inferBody([row()], { id: 'a\u0000b' }),
      }),
      400,
      'BAD_REQUEST',
    );
    // Bytes that are not UTF-8 (here in the request id) are refused, not read as U+FFFD.
    const notUtf8 = await expectError(
      await req('/v2/models/wear/infer', A.apiKey.key, {
        method: 'POST',
        body: Buffer.concat([
          Buffer.from(inferBody([row()], { id: 'a' }).slice(0, -1)),
          Buffer.from(',"x":"\xff"}', 'latin1'),
        ]),
      }),
      400,
      'BAD_REQUEST',
    );
    expect(notUtf8.issues).toEqual([expect.objectContaining({ code: 'invalid_utf8' })]);
    // Still serving.
    expect(
      (await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: inferBody([row()]) })).status,
    ).toBe(200);
  });

  it('fuzz: OIP infer answers hostile requests with a 4xx in the one error shape (issue 19)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), hostileValue, async (i, v) => {
        count('oip infer');
        const base = JSON.parse(inferBody([row()])) as Record<string, any>;
        const variants = [
          v,
          { ...base, id: v },
          { ...base, parameters: { alias: v } },
          { inputs: [{ ...base.inputs[0], data: v }] },
        ];
        const body = JSON.stringify(variants[i % variants.length]) ?? 'null';
        const res = await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body });
        expect(res.status, body.slice(0, 100)).toBeLessThan(500);
        if (res.status >= 400)
          expect(Object.keys((await res.json()) as object).sort()).toEqual(['code', 'error', 'issues']);
        else await res.body?.cancel();
      }),
      fuzzParams(40),
    );
    printCounts('oip');
    expect(
      (await req('/v2/models/wear/infer', A.apiKey.key, { method: 'POST', body: inferBody([row()]) })).status,
    ).toBe(200);
  });

  it('needs a valid API key for model routes', async () => {
    const none = await req('/v2/models/wear', null);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: expect.stringMatching(/API key/), code: 'UNAUTHORIZED', issues: [] });
    expect((await req('/v2/models/wear', 'dlk_abcdefgh_' + 'x'.repeat(43))).status).toBe(401);
    expect((await req('/v2/models/wear', 'garbage')).status).toBe(401);
  });

  it("serves each org only its own models: another org's model is not found", async () => {
    // Same name in two orgs: each key gets its own org's model.
    const a = (await (await req('/v2/models/wear', A.apiKey.key)).json()) as { parameters: { version_id: string } };
    const b = (await (await req('/v2/models/wear', B.apiKey.key)).json()) as {
      parameters: { version_id: string };
      versions: string[];
    };
    expect(a.parameters.version_id).toBe(models[`${A.org.slug}/wear`]!.v[1]);
    expect(b.parameters.version_id).toBe(models[`${B.org.slug}/wear`]!.v[1]);
    expect(b.versions).toEqual(['1']);
    // B's model from A's key, and A's version 2 from B's key: exactly like a model that does not exist.
    for (const [path, method, body] of [
      ['/v2/models/b-only', 'GET', undefined],
      ['/v2/models/b-only/ready', 'GET', undefined],
      ['/v2/models/b-only/infer', 'POST', inferBody([row()])],
      ['/v2/models/b-only/versions/1/infer', 'POST', inferBody([row()])],
    ] as const) {
      const res = await req(path, A.apiKey.key, { method, body });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/b-only.*not found/);
    }
    expect(
      (await req('/v2/models/wear/versions/2/infer', B.apiKey.key, { method: 'POST', body: inferBody([row()]) }))
        .status,
    ).toBe(404);
  });
});

describe('hot swap', () => {
  it('moves an alias under continuous load with zero failed requests, and releases the old session', async () => {
    const { modelId, v } = models[`${A.org.slug}/swap`]!;
    const seen = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const body = inferBody([row(7)]);
    const client = async () => {
      while (!stop) {
        try {
          const res = await req('/v2/models/swap/infer', A.apiKey.key, { method: 'POST', body });
          const json = (await res.json()) as { model_version?: string; error?: string };
          if (res.status !== 200) failures.push(`${res.status} ${json.error}`);
          else seen.set(json.model_version!, (seen.get(json.model_version!) ?? 0) + 1);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // Points production at a version and tells the workers, as the registry does.
    const moveProduction = async (versionId: string, action: 'promote' | 'rollback') => {
      await setAlias(A.org.id, modelId, 'production', versionId);
      await announce(kafka, topics.prefix, {
        orgId: A.org.id,
        modelId,
        modelName: 'swap',
        alias: 'production',
        action,
        versionId,
        canaryVersionId: null,
        canaryWeight: 0,
      });
    };
    await waitFor(
      async () => seen.get('1') ?? 0,
      (n) => n > 200,
      20_000,
      'traffic on v1',
    );
    await moveProduction(v[2]!, 'promote');
    await waitFor(
      async () => seen.get('2') ?? 0,
      (n) => n > 200,
      30_000,
      'traffic on v2 after the swap',
    );
    // And back, once more under load.
    await moveProduction(v[1]!, 'rollback');
    const before = seen.get('1')!;
    await waitFor(
      async () => seen.get('1')!,
      (n) => n > before + 200,
      30_000,
      'traffic on v1 after the rollback',
    );
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(seen.get('1')! + seen.get('2')!).toBeGreaterThan(600);
    // v2 is referenced by nothing any more: drained and released.
    await waitFor(
      async () => worker.registry.loadedSessions().some((s) => s.info.id === v[2]),
      (x) => !x,
      10_000,
      'v2 released',
    );

    // Deleting the alias takes the model out of service.
    await db.modelAlias.delete({ where: { modelId_name: { modelId, name: 'production' } } });
    await announce(kafka, topics.prefix, {
      orgId: A.org.id,
      modelId,
      modelName: 'swap',
      alias: 'production',
      action: 'delete',
      versionId: null,
      canaryVersionId: null,
      canaryWeight: 0,
    });
    await waitFor(
      async () => (await req('/v2/models/swap', A.apiKey.key)).status,
      (st) => st === 404,
      20_000,
      'swap undeployed',
    );
    await waitFor(
      async () => worker.registry.loadedSessions().some((s) => s.info.id === v[1]),
      (x) => !x,
      10_000,
      'v1 released',
    );
  });

  it('catches up with alias moves that no dl.models message announced (the web died after the commit)', async () => {
    const { modelId, v } = await register(A, 'quiet', [61, 62]);
    const served = async () => {
      const res = await req('/v2/models/quiet/infer', A.apiKey.key, { method: 'POST', body: inferBody([row(3)]) });
      return res.status === 200 ? ((await res.json()) as { model_version: string }).model_version : String(res.status);
    };
    // Created, moved and deleted in Postgres only: no message at all.
    await setAlias(A.org.id, modelId, 'production', v[1]!);
    await waitFor(served, (x) => x === '1', 15_000, 'quiet v1 served');
    await setAlias(A.org.id, modelId, 'production', v[2]!);
    await waitFor(served, (x) => x === '2', 15_000, 'quiet v2 served');
    await db.modelAlias.delete({ where: { modelId_name: { modelId, name: 'production' } } });
    await waitFor(served, (x) => x === '404', 15_000, 'quiet undeployed');
    // Nothing left to catch up with: a reconcile changes nothing.
    expect(await worker.registry.reconcile()).toBe(0);
  });
});

function featuresMessage(
  orgId: string,
  runId: string,
  vehicleId: string,
  t: number,
  values: number[],
  kind: 'tumbling' | 'sliding' = 'tumbling',
): FeaturesMessage {
  return featureWindow({ orgId, runId, vehicleId, t }, values, { kind });
}

async function publishFeatures(messages: (FeaturesMessage | string)[]) {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await producer.send({
      topic: topics.name(TOPICS.features),
      messages: messages.map((m) =>
        typeof m === 'string' ? { key: 'bad', value: m } : { key: featuresKey(m), value: encodeMessage(m) },
      ),
    });
  } finally {
    await producer.disconnect();
  }
}

describe('streaming scoring', () => {
  it('scores every window, alerts once per fault episode (K=3 of N=5), to Kafka and Postgres', async () => {
    const runId = A.ids.runId;
    const msgs: FeaturesMessage[] = [];
    // ego: 5 normal, 8 faulty, 6 normal, 4 faulty → two episodes. npc: always normal.
    const pattern = [
      ...Array(5).fill(false),
      ...Array(8).fill(true),
      ...Array(6).fill(false),
      ...Array(4).fill(true),
    ] as boolean[];
    pattern.forEach((fault, t) => {
      msgs.push(featuresMessage(A.org.id, runId, 'ego', t, row(100 + t, fault)));
      msgs.push(featuresMessage(A.org.id, runId, 'npc-1', t, row(200 + t, false)));
    });
    // Sliding windows are not what the model was trained on: not scored.
    msgs.push(featuresMessage(A.org.id, runId, 'ego', 0, row(300), 'sliding'));
    await publishFeatures(msgs);

    const isOurs = (p: PredictionMessage) => p.runId === runId && p.modelName === 'wear';
    const preds = await collect(
      topics.kafka,
      topics.name(TOPICS.predictions),
      (v) => predictionMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.filter(isOurs).length >= 2 * pattern.length,
      45_000,
    );
    const ours = preds.filter(isOurs);
    // Once per window and vehicle (the sliding window is not scored).
    expect(ours).toHaveLength(2 * pattern.length);
    const egoWear = ours
      .filter((p) => p.modelName === 'wear' && p.vehicleId === 'ego')
      .sort((a, b) => a.windowStart - b.windowStart);
    expect(egoWear.map((p) => p.label === 'anomaly')).toEqual(pattern);
    expect(egoWear.every((p) => p.modelVersion === 1 && p.alias === 'production' && p.threshold! > 0)).toBe(true);

    const alerts = await collect(
      topics.kafka,
      topics.name(TOPICS.alerts),
      (v) => alertMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.filter((a) => a.runId === runId).length >= 4,
      20_000,
    );
    const wearAlerts = alerts.filter((a: AlertMessage) => a.runId === runId && a.modelName === 'wear');
    // Third faulty window of each episode (t = 7 and t = 21): one alert each, none for npc-1.
    expect(wearAlerts.map((a) => [a.vehicleId, a.windowStart, a.k, a.n])).toEqual([
      ['ego', 7, 3, 5],
      ['ego', 21, 3, 5],
    ]);
    const rows = await db.alert.findMany({
      where: { runId, modelId: models[`${A.org.slug}/wear`]!.modelId },
      orderBy: { windowStart: 'asc' },
    });
    expect(rows.map((r) => [r.id, r.vehicleId, r.windowStart, r.orgId])).toEqual(
      wearAlerts.map((a) => [a.id, 'ego', a.windowStart, A.org.id]),
    );

    // The portal reads them back for the run view and the fleet overview, within the org only.
    const viewer = callerFor(userCaller(A.users.viewer));
    const listed = await viewer.inference.runAlerts({ org: A.org.slug, runId });
    expect(listed.filter((a) => a.modelName === 'wear').map((a) => [a.vehicleId, a.windowStart, a.alias])).toEqual([
      ['ego', 7, 'production'],
      ['ego', 21, 'production'],
    ]);
    const summary = await viewer.inference.alertSummary({ org: A.org.slug });
    expect(summary.byRun[runId]).toBe(listed.length);
    expect(summary.last24h).toBeGreaterThanOrEqual(listed.length);
    await expect(callerFor(userCaller(B.users.owner)).inference.runAlerts({ org: B.org.slug, runId })).rejects.toThrow(
      /not found/i,
    );
  });

  it('splits vehicles between baseline and canary by hash, each vehicle always on one version', async () => {
    const { modelId, v } = models[`${A.org.slug}/wear`]!;
    await setAlias(A.org.id, modelId, 'production', v[1]!, { versionId: v[2]!, weight: 0.5 });
    await announce(kafka, topics.prefix, {
      orgId: A.org.id,
      modelId,
      modelName: 'wear',
      alias: 'production',
      action: 'canary',
      versionId: v[1]!,
      canaryVersionId: v[2]!,
      canaryWeight: 0.5,
    });
    await waitFor(
      async () => worker.registry.model(A.org.id, 'wear')?.aliases.get('production')?.canary?.info.id,
      (id) => id === v[2],
      20_000,
      'canary loaded',
    );

    const runId = A.ids.runId;
    const vehicles = Array.from({ length: 40 }, (_, i) => `canary-veh-${i}`);
    const msgs = [0, 1, 2].flatMap((t) =>
      vehicles.map((veh) => featuresMessage(A.org.id, runId, veh, 1000 + t, row(t))),
    );
    await publishFeatures(msgs);
    const mine = (p: PredictionMessage) => p.modelName === 'wear' && p.vehicleId.startsWith('canary-veh-');
    const preds = (
      await collect(
        topics.kafka,
        topics.name(TOPICS.predictions),
        (x) => predictionMessageSchema.parse(JSON.parse(x!.toString())),
        (items) => items.filter(mine).length >= msgs.length,
        60_000,
      )
    ).filter(mine);
    expect(preds).toHaveLength(msgs.length);
    const versionOf = new Map<string, Set<number>>();
    for (const p of preds) versionOf.set(p.vehicleId, (versionOf.get(p.vehicleId) ?? new Set()).add(p.modelVersion));
    for (const veh of vehicles) {
      expect([...versionOf.get(veh)!]).toEqual([routesToCanary(modelId, veh, 0.5) ? 2 : 1]);
    }
    const onCanary = vehicles.filter((veh) => versionOf.get(veh)!.has(2)).length;
    expect(onCanary).toBeGreaterThan(5);
    expect(onCanary).toBeLessThan(35);

    // The monitoring stats in Redis show both versions with their roles.
    const statsRaw = await waitFor(
      () => redis.hgetall(`inf:stats:${A.org.id}`),
      (h) =>
        Object.values(h).some(
          (s) => s.includes('"role":"canary"') && s.includes(`"versionId":"${v[2]}"`) && JSON.parse(s).streamRows > 0,
        ),
      10_000,
      'stats',
    );
    const stats = Object.values(statsRaw).map(
      (s) => JSON.parse(s) as { versionId: string; routes: { role: string }[]; predictions: number },
    );
    expect(stats.find((s) => s.versionId === v[2])!.routes).toEqual([
      { alias: 'production', role: 'canary', weight: 0.5 },
    ]);
    expect(stats.find((s) => s.versionId === v[1])!.routes).toEqual([
      { alias: 'production', role: 'baseline', weight: 0.5 },
    ]);

    // The Serving page's query puts baseline and canary side by side.
    const mon = await callerFor(userCaller(A.users.viewer)).inference.monitoring({ org: A.org.slug });
    const dep = mon.deployments.find((d) => d.modelName === 'wear' && d.alias === 'production')!;
    expect(dep).toMatchObject({ canaryWeight: 0.5, baseline: { version: 1 }, canary: { version: 2 } });
    expect(dep.canary!.live!.streamRows).toBeGreaterThan(0);
    expect(dep.baseline.live!.provider).toBe('cpu');
    expect(dep.canary!.live!.requestUs.p50).toBeGreaterThan(0);
    expect(mon.workersReporting).toBeGreaterThanOrEqual(1);
  });

  it('sends invalid windows and windows of another org’s run to dl.dlq and keeps going', async () => {
    const foreign = featuresMessage(B.org.id, A.ids.runId, 'intruder', 5000, row(1));
    const good = featuresMessage(A.org.id, A.ids.runId, 'after-bad', 5000, row(1));
    await publishFeatures(['{"v":1,"orgId":', JSON.stringify({ ...good, values: [1, 2] }), foreign, good]);
    const dlq = await collect(
      topics.kafka,
      topics.name(TOPICS.dlq),
      (x) => dlqMessageSchema.parse(JSON.parse(x!.toString())),
      (items) => items.length >= 3,
      30_000,
    );
    expect(dlq.map((d) => d.reason).sort()).toEqual(['parse', 'tenant', 'validation']);
    expect(dlq.find((d) => d.reason === 'tenant')!.error).toContain(A.ids.runId);
    const after = await collect(
      topics.kafka,
      topics.name(TOPICS.predictions),
      (x) => predictionMessageSchema.parse(JSON.parse(x!.toString())),
      (items) => items.some((p) => p.vehicleId === 'after-bad'),
      30_000,
    );
    expect(after.some((p) => p.vehicleId === 'after-bad')).toBe(true);
    expect(after.some((p) => p.vehicleId === 'intruder')).toBe(false);
  });
});
