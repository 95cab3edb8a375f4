// Sim-to-browser latency of the live channel: `npm run bench -- live` prints one JSON object.
// A 20-vehicle run at 20 Hz is produced to Kafka in real time by the simulator engine; 10
// Socket.IO viewers watch its room through the real relay; latency = receipt − frame ts.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { generateApiKey } from '~/server/auth/tokens';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createDb } from '~/server/db';
import { createKafka, createProducer, ensureTopics, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { attachLiveNamespace, startLiveRelay } from '~/server/realtime/live';
import { redis } from '~/server/store/redis';
import { createSimulation } from '~/workers/sim';
import { kafkaRunPublisher } from '~/workers/sim/kafka-publisher';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const db = createDb();
const tag = randomBytes(3).toString('hex');
const prefix = `bench.live-${tag}.`;
const kafka = createKafka({ clientId: 'bench-live' });
await ensureTopics(kafka, { prefix, partitions: 6 });

// A throwaway org, scenario, run and viewer key, removed at the end.
const org = await db.organization.create({ data: { name: `bench ${tag}`, slug: `bench-${tag}` } });
const scenario = await db.scenario.create({
  data: { orgId: org.id, name: 'bench', versions: { create: { orgId: org.id, version: 1, spec: {} } } },
  include: { versions: true },
});
const run = await db.run.create({
  data: { orgId: org.id, scenarioId: scenario.id, scenarioVersionId: scenario.versions[0]!.id, state: 'running' },
});
const key = generateApiKey();
await db.apiKey.create({ data: { orgId: org.id, name: 'bench', prefix: key.prefix, hash: key.hash, role: 'viewer' } });

const http = createServer();
const io = new Server(http, { path: '/socket.io' });
const live = attachLiveNamespace(io, { db, redis });
const relay = await startLiveRelay(kafka, live, { prefix });
await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;

const latencies: number[] = [];
let framesReceived = 0;
const viewers = await Promise.all(
  Array.from({ length: VIEWERS }, async () => {
    const s = connect(url, { path: '/socket.io', transports: ['websocket'], auth: { apiKey: key.key } });
    await new Promise<void>((res, rej) => (s.once('connect', () => res()), s.once('connect_error', rej)));
    const r = (await s.emitWithAck('join', { room: `run:${run.id}` })) as { ok: boolean };
    if (!r.ok) throw new Error('join refused');
    s.on('batch', (b: { frames: TelemetryFrame[] }) => {
      const now = Date.now();
      for (const f of b.frames) latencies.push(now - f.ts);
      framesReceived += b.frames.length;
    });
    return s;
  }),
);

const producer = createProducer(kafka);
await producer.connect();
const publisher = kafkaRunPublisher(producer, prefix);
const sim = createSimulation(
  { map: 'highway_ring', durationS: SECONDS, traffic: { vehicles: 19 }, sensors: { rateHz: 20 } },
  { orgId: org.id, runId: run.id },
);
const started = Date.now();
let produced = 0;
while (!sim.done) {
  const step = sim.step();
  produced += step.frames.length;
  await publisher.publish({ frames: step.frames, events: [] });
  const wait = started + sim.t * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await new Promise((r) => setTimeout(r, 500));

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
console.log(
  JSON.stringify({
    bench: 'live',
    viewers: VIEWERS,
    vehicles: 20,
    rateHz: 20,
    seconds: SECONDS,
    framesProduced: produced,
    framesDeliveredPerViewer: Math.round(framesReceived / VIEWERS),
    downsampleHz: Number(process.env.LIVE_RATE_HZ ?? 10),
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies[latencies.length - 1] ?? null },
    target: { p95Ms: 500, met: (pct(95) ?? Infinity) < 500 },
    note: 'latency = Socket.IO client receipt − frame ts (set when the simulator built the frame): Kafka produce, relay batching (~100 ms) and delivery; page rendering is measured in the live view itself',
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  }),
);

for (const v of viewers) v.disconnect();
await producer.disconnect();
await relay.stop();
void io.close();
await db.organization.delete({ where: { id: org.id } });
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) }).catch(() => undefined);
await admin.disconnect();
await db.$disconnect();
redis().disconnect();
process.exit(0);
