/**
 * Explanation benchmark: `npm run bench -- explain` prints one JSON object with explanations per
 * second for the platform's autoencoder over the whole feature set (FEATURE_SET v1, 34 features:
 * the ≥ 200/s target was set for 32), explained by KernelSHAP as the predict API and OIP explain
 * do it: the serving plan (2M + extra coalitions), 8 background
 * rows, one batched ONNX Runtime call per explanation, ONNX Runtime on one intra-op thread.
 * No database: the model is trained and opened in-process.
 *
 * BENCH_SECONDS (6)
 */
import os from 'node:os';
import { EXPLAIN_BACKGROUND_ROWS, planFor } from '~/server/explain/explain';
import { kernelShap } from '~/server/explain/kernel-shap';
import { scoresOf } from '~/server/inference/scoring';
import { openVersion } from '~/server/inference/version-session';
import { FEATURES, featureRows, trainFeatureAutoencoder } from '../fixtures/models';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const M = FEATURES.length;

console.error(`training a ${M}-feature autoencoder…`);
const t = await trainFeatureAutoencoder(3, { epochs: 5 });
const session = await openVersion(
  {
    id: 'bench',
    orgId: 'bench',
    modelId: 'bench',
    modelName: 'bench',
    version: 1,
    kind: 'autoencoder',
    featureNames: FEATURES,
    threshold: t.threshold,
    inputShape: [M],
  },
  t.bytes,
  t.sidecar,
  {
    providers: ['cpu'],
    intraOpThreads: 1,
    batching: { maxBatch: 256, maxDelayUs: 200, maxConcurrent: 1 },
  },
);
const model = async (rows: Float32Array, n: number) => scoresOf(session.spec, await session.infer(rows, n), n);
const background = Float32Array.from(featureRows(11, EXPLAIN_BACKGROUND_ROWS).flat());
const plan = planFor(M);
const rows = featureRows(12, 256, false).concat(featureRows(13, 256, true));
const base = (await model(background, EXPLAIN_BACKGROUND_ROWS)).reduce((a, b) => a + b, 0) / EXPLAIN_BACKGROUND_ROWS;

// Warm-up (not measured): ONNX Runtime's first runs allocate.
for (let i = 0; i < 20; i++) await kernelShap(model, plan, rows[i]!, background, base);

console.error(`explaining for ${SECONDS} s…`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let n = 0;
let maxSumError = 0;
while (performance.now() - t0 < SECONDS * 1000) {
  const x = rows[n % rows.length]!;
  const e = await kernelShap(model, plan, x, background, base);
  maxSumError = Math.max(maxSumError, Math.abs(e.base + e.values.reduce((a, b) => a + b, 0) - e.output));
  n++;
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await session.retire();
console.log(
  JSON.stringify({
    bench: 'explain',
    features: M,
    method: 'kernel-shap',
    coalitions: plan.coalitions,
    backgroundRows: EXPLAIN_BACKGROUND_ROWS,
    modelRowsPerExplanation: plan.coalitions * EXPLAIN_BACKGROUND_ROWS,
    explanations: n,
    seconds: Number(seconds.toFixed(2)),
    explanationsPerSecond: Number((n / seconds).toFixed(1)),
    cpuCoresUsed: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)),
    target: '>= 200/s on one core',
    maxAdditivityError: maxSumError,
    loadAverage: os.loadavg()[0],
    cpus: os.cpus().length,
    node: process.version,
  }),
);
