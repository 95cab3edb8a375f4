/**
 * Drift benchmark: `npm run bench -- drift` prints one JSON object with the time to build a
 * drift report over 1M served rows of the 32 features of FEATURE_SET v1 (plus the prediction)
 * against a 5,000-row reference: sketching the rows into a window on the reference grids
 * (what the serving paths do as they serve) and computing every column's tests, PSI and
 * histograms. Pure computation, one thread. BENCH_ROWS (1000000), BENCH_REFERENCE (5000).
 */
import os from 'node:os';
import { DriftReference } from '~/server/drift/report';
import { FEATURES, featureRows } from '../fixtures/models';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REFERENCE = Number(process.env.BENCH_REFERENCE ?? 5000);
const M = FEATURES.length;

const reference = featureRows(1, REFERENCE);
const t0 = performance.now();
const ref = new DriftReference(
  FEATURES,
  reference,
  reference.map((r) => r[0]! / 10),
);
const referenceMs = performance.now() - t0;

// Served traffic: half normal, half with six features far off (featureRows' fault mode).
console.error(`generating ${ROWS} served rows…`);
const block = featureRows(2, 5000).concat(featureRows(3, 5000, true));
const data = new Float64Array(block.length * M);
block.forEach((r, i) => data.set(r, i * M));

const cpu0 = process.cpuUsage();
const t1 = performance.now();
const window = ref.window();
const row = new Float64Array(M);
for (let i = 0; i < ROWS; i++) {
  const k = (i % block.length) * M;
  for (let j = 0; j < M; j++) row[j] = data[k + j]!;
  window.add(row, row[0]! / 10);
}
const sketchMs = performance.now() - t1;
const t2 = performance.now();
const report = window.report();
const reportMs = performance.now() - t2;
const cpu = process.cpuUsage(cpu0);

console.log(
  JSON.stringify({
    bench: 'drift',
    servedRows: ROWS,
    features: M,
    referenceRows: REFERENCE,
    referenceBuildMs: Number(referenceMs.toFixed(1)),
    sketchMs: Number(sketchMs.toFixed(1)),
    reportMs: Number(reportMs.toFixed(1)),
    totalSeconds: Number(((sketchMs + reportMs) / 1000).toFixed(3)),
    // Wall time on a shared machine counts others' load; CPU time is what this process used.
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    loadAverage: os.loadavg()[0],
    target: '< 5 s for 1M served rows',
    driftedColumns: report.columns.filter((c) => c.drifted).length,
    datasetDrift: report.datasetDrift,
    predictionDrift: report.prediction?.drifted ?? null,
    cpus: os.cpus().length,
    node: process.version,
  }),
);
