/**
 * Inference benchmark: `npm run bench -- inference` prints one JSON object with
 * - batch: in-process ONNX Runtime throughput per execution provider (each configured provider is
 *   tried; those that cannot load on this machine are listed with the reason),
 * - http: the inference worker (its own process, real API-key auth) answering single-row OIP v2
 *   requests from keep-alive connections: req/s, p50/p99 latency,
 * - streaming: in-process scoring of feature windows (StreamScorer: routing, feature mapping,
 *   micro-batched ONNX runs, predictions, alert debouncing), rows/s, without and with the JSON
 *   decode/validate/encode a Kafka consumer adds.
 * The model is the platform's autoencoder over the 32 features of FEATURE_SET v1, trained here.
 *
 * BENCH_SECONDS (8), BENCH_CONNECTIONS (16), INFERENCE_PROVIDERS (cuda,webgpu,cpu).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { generateApiKey } from '~/server/auth/tokens';
import { FEATURE_SET, featuresMessageSchema, type FeaturesMessage } from '~/server/contracts/features';
import { predictionMessageSchema } from '~/server/contracts/predictions';
import { createDb } from '~/server/db';
import { createSession, parseProviders, probeProviders } from '~/server/inference/providers';
import { objectStore } from '~/server/store/object-store';
import { DeploymentRegistry } from '~/workers/inference/deployments';
import { StreamScorer } from '~/workers/inference/streaming';
import { featureRows, registerAutoencoder, setAlias } from '~/scripts/fixtures/models';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const providers = parseProviders(process.env.INFERENCE_PROVIDERS);
const db = createDb();
const tag = randomBytes(3).toString('hex');
const org = await db.organization.create({ data: { name: `bench ${tag}`, slug: `bench-inf-${tag}` } });
const key = generateApiKey();
await db.apiKey.create({ data: { orgId: org.id, name: 'bench', prefix: key.prefix, hash: key.hash, role: 'viewer' } });
const version = await registerAutoencoder(org.id, 'bench-ae', 3, { epochs: 10 });
await setAlias(org.id, version.modelId, 'production', version.id);
const onnx = (await objectStore().openReader(version.onnxKey))!;
const bytes = await onnx.read(0n, await onnx.size());
await onnx.close();
const F = FEATURE_SET.names.length;
const rows = featureRows(9, 8192);
const pool = Float32Array.from(rows.flat());

// ── 1. In-process batch throughput per execution provider ─────────────────────────────────────
const probe = await probeProviders(bytes, providers);
const batch: Record<string, unknown> = {};
for (const p of probe) {
  if (!p.ok) {
    batch[p.provider] = { available: false, reason: p.reason };
    continue;
  }
  const measure = async (intraOpThreads: number) => {
    const { session } = await createSession(bytes, { providers: [p.provider], intraOpThreads });
    const perSize: Record<string, number> = {};
    for (const size of [1, 64, 1024, 8192]) {
      const input = new ort.Tensor('float32', pool.subarray(0, size * F), [size, F]);
      for (let i = 0; i < 5; i++) await session.run({ features: input });
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1000) {
        await session.run({ features: input });
        n += size;
      }
      perSize[`batch${size}`] = Math.round(n / ((performance.now() - t0) / 1000));
    }
    await session.release();
    return perSize;
  };
  // One intra-op thread is the serving default (INFERENCE_INTRA_OP_THREADS=1); 0 lets ORT use every core.
  batch[p.provider] = { available: true, rowsPerSecond: await measure(1), rowsPerSecondAllCores: await measure(0) };
}
const gpuAvailable = probe.some((p) => p.ok && p.provider !== 'cpu');

// ── 2. HTTP single-row OIP v2 against the worker process ─────────────────────────────────────
const port = 20000 + Math.floor(Math.random() * 20000);
const child = spawn(process.execPath, ['--import', 'tsx', 'workers/inference/main.ts'], {
  env: {
    ...process.env,
    INFERENCE_HTTP_PORT: String(port),
    INFERENCE_STREAMING: '0',
    INFERENCE_GROUP_ID: `bench-inference-${tag}`,
    API_KEY_RATE_LIMIT: '1000000000/60',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    DRIVELAB_SERVICE: 'inference-bench',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/v2/health/ready`)
    .then((r) => r.ok)
    .catch(() => false);
  if (ok) break;
  if (i > 300) throw new Error('inference worker did not become ready');
  await new Promise((r) => setTimeout(r, 200));
}

/**
 * A lean keep-alive load generator on raw sockets (one request in flight per connection), so the
 * client spends as little of the shared CPU as possible.
 */
async function httpLoad(seconds: number, connections: number) {
  const body = JSON.stringify({
    inputs: [{ name: 'features', shape: [1, F], datatype: 'FP32', data: rows[0] }],
    outputs: [{ name: 'score' }],
  });
  const request = Buffer.from(
    `POST /v2/models/bench-ae/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const latUs: number[] = [];
  let errors = 0;
  let measuring = false;
  let secondsRun = 0;
  let stop = false;
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve) => {
          const sock = net.connect(port, '127.0.0.1');
          sock.setNoDelay(true);
          let buf = '';
          let sent = 0n;
          const fire = () => {
            if (stop) {
              sock.end();
              resolve();
              return;
            }
            sent = process.hrtime.bigint();
            sock.write(request);
          };
          sock.on('connect', fire);
          sock.on('data', (d) => {
            buf += d.toString('latin1');
            for (;;) {
              const h = buf.indexOf('\r\n\r\n');
              if (h === -1) return;
              const m = /content-length: (\d+)/i.exec(buf.slice(0, h));
              const len = m ? Number(m[1]) : 0;
              if (buf.length < h + 4 + len) return;
              const status = buf.slice(9, 12);
              buf = buf.slice(h + 4 + len);
              if (measuring) {
                latUs.push(Number(process.hrtime.bigint() - sent) / 1000);
                if (status !== '200') errors++;
              }
              fire();
            }
          });
          sock.on('error', () => {
            errors++;
            resolve();
          });
        }),
    ).concat([
      (async () => {
        await new Promise((r) => setTimeout(r, 1500)); // warm-up
        measuring = true;
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, seconds * 1000));
        measuring = false;
        stop = true;
        secondsRun = (performance.now() - t0) / 1000;
      })(),
    ]),
  );
  latUs.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latUs[Math.min(latUs.length - 1, Math.floor(p * latUs.length))]!) / 1000;
  return {
    requests: latUs.length,
    errors,
    reqPerSecond: Math.round(latUs.length / secondsRun),
    latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1) },
  };
}
const http = await httpLoad(SECONDS, CONNECTIONS);
const workerMetrics = await fetch(`${base}/v2/models/bench-ae`, {
  headers: { authorization: `Bearer ${key.key}` },
}).then((r) => r.json() as Promise<{ parameters: { execution_provider: string } }>);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

// ── 3. Streaming scoring in process ──────────────────────────────────────────────────────────
const registry = new DeploymentRegistry({
  db,
  store: objectStore(),
  aliases: ['production'],
  load: { providers, intraOpThreads: 1, batching: { maxBatch: 8192, maxDelayUs: 0, maxConcurrent: 2 } },
});
await registry.loadAll();
const scorer = new StreamScorer(registry, { aliases: ['production'], windowKind: 'tumbling', alert: { k: 3, n: 5 } });
const VEHICLES = 2000;
const BATCH = 4096;
const names = [...FEATURE_SET.names];
const windows: FeaturesMessage[] = Array.from({ length: BATCH * 4 }, (_, i) => ({
  v: 1,
  orgId: org.id,
  runId: 'bench-run',
  vehicleId: `veh-${i % VEHICLES}`,
  windowStart: Math.floor(i / VEHICLES),
  windowEnd: Math.floor(i / VEHICLES) + 1,
  windowSize: 1,
  kind: 'tumbling',
  featureSetVersion: 'v1',
  names,
  values: rows[i % rows.length]!,
  frameCount: 20,
  emittedAt: Date.now(),
  revision: 0,
}));
const encoded = windows.map((w) => Buffer.from(JSON.stringify(w)));
const phaseMs = { decode: 0, score: 0, encode: 0 };
async function stream(withJson: boolean) {
  let n = 0;
  let i = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 500) {
    const off = (i++ % 4) * BATCH;
    let msgs = windows.slice(off, off + BATCH);
    const a = performance.now();
    if (withJson)
      msgs = encoded.slice(off, off + BATCH).map((b) => featuresMessageSchema.parse(JSON.parse(b.toString('utf8'))));
    const b = performance.now();
    const out = await scorer.score(msgs);
    const c = performance.now();
    if (withJson) for (const p of out.predictions) Buffer.from(JSON.stringify(predictionMessageSchema.parse(p)));
    if (withJson) {
      phaseMs.decode += b - a;
      phaseMs.score += c - b;
      phaseMs.encode += performance.now() - c;
    }
    n += out.predictions.length;
  }
  return Math.round(n / ((performance.now() - t0) / 1000));
}
await stream(false);
const streamingScore = await stream(false);
const streamingWithJson = await stream(true);
await registry.close();

console.log(
  JSON.stringify(
    {
      bench: 'inference',
      model: { kind: 'autoencoder', features: F, onnxBytes: bytes.length },
      providersConfigured: providers,
      gpu: gpuAvailable
        ? 'available'
        : 'none: no configured GPU execution provider could be loaded on this machine (see batch.<provider>.reason); all numbers are CPU',
      batch,
      http: {
        ...http,
        connections: CONNECTIONS,
        seconds: SECONDS,
        provider: workerMetrics.parameters.execution_provider,
        target: { reqPerSecond: 15_000, p99Ms: 5, met: http.reqPerSecond >= 15_000 && http.latencyMs.p99 < 5 },
      },
      streaming: {
        rowsPerSecond: streamingScore,
        rowsPerSecondWithJsonDecodeValidateEncode: streamingWithJson,
        jsonPathMs: Object.fromEntries(Object.entries(phaseMs).map(([k, v]) => [k, Math.round(v)])),
        batchWindows: BATCH,
        target: { rowsPerSecond: 1_000_000, met: streamingScore >= 1_000_000 },
      },
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
        onnxruntime: ort.env.versions.common,
      },
    },
    null,
    2,
  ),
);

await db.organization.delete({ where: { id: org.id } });
await db.registeredModel.deleteMany({ where: { orgId: org.id } });
await db.$disconnect();
process.exit(0);
