import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// This file's own topics, consumer group and object-store directory.
const tag = randomBytes(4).toString('hex');
const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? 'test.'}rec-${tag}.`;
const dataDir = await mkdtemp(join(tmpdir(), 'drivelab-rec-'));
process.env.KAFKA_TOPIC_PREFIX = prefix;
process.env.DATA_DIR = dataDir;
const groupId = `drivelab-recorder-test-${tag}`;

const { McapIndexedReader } = await import('@mcap/core');
const { db } = await import('~/server/db');
const { createKafka, createProducer, ensureTopics, topic } = await import('~/server/kafka/client');
const { TOPICS } = await import('~/server/kafka/topics');
const { dlqMessageSchema } = await import('~/server/contracts/dlq');
const { telemetryKey } = await import('~/server/contracts/telemetry');
const { localObjectStore } = await import('~/server/store/object-store');
const { recordingKey } = await import('~/server/store/recordings');
const { readRecording } = await import('~/server/store/recording-reader');
const { createSimulation } = await import('~/workers/sim');
const { eventIdentity } = await import('~/workers/recorder/dedupe');
const { GET } = await import('~/app/api/v1/runs/[id]/recording/route');
const { collect } = await import('../helpers/kafka');
const { makeOrg } = await import('../helpers/tenancy');
type TelemetryFrame = import('~/server/contracts/telemetry').TelemetryFrame;
type SimEvent = import('~/server/contracts/events').SimEvent;

const kafka = createKafka({ clientId: 'test-recorder' });
const store = localObjectStore(dataDir);

function startRecorder(): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/recorder/main.ts'], {
    env: {
      ...process.env,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DRIVELAB_SERVICE: 'recorder-test',
      RECORDER_GROUP_ID: groupId,
      RECORDER_GRACE_MS: '1500',
      RECORDER_TICK_MS: '200',
      RECORDER_SESSION_TIMEOUT_MS: '6000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** A whole simulated run: 4 vehicles (ego + 3) × 20 Hz × 10 s, with a fault, ending in run_finished. */
function simulate(orgId: string, runId: string): { frames: TelemetryFrame[]; events: SimEvent[] } {
  const sim = createSimulation(
    {
      name: 'recorder',
      map: 'highway_ring',
      durationS: 10,
      traffic: { vehicles: 3 },
      sensors: { rateHz: 20 },
      faults: [{ type: 'engine_overheat', vehicle: 'ego', startS: 2, rampS: 1, durationS: 4 }],
    },
    { orgId, runId, clock: () => 1_700_000_000_000 },
  );
  const frames: TelemetryFrame[] = [];
  const events: SimEvent[] = [];
  while (!sim.done) {
    const r = sim.step();
    frames.push(...r.frames);
    events.push(...r.events);
  }
  return { frames, events };
}

const frameId = (f: { vehicleId: string; seq: number }) => `${f.vehicleId}#${f.seq}`;
function idHash(frames: { vehicleId: string; seq: number }[]): string {
  const ids = frames.map(frameId).sort();
  return createHash('sha256').update(ids.join('\n')).digest('hex');
}
function perVehicle(frames: { vehicleId: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of frames) out[f.vehicleId] = (out[f.vehicleId] ?? 0) + 1;
  return out;
}

async function waitForRecording(orgId: string, runId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await store.openReader(recordingKey(orgId, runId));
    if (r) return r.close();
    if (Date.now() > deadline) throw new Error(`no recording for ${runId} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('recorder: every run into one MCAP file', () => {
  let org: Awaited<ReturnType<typeof makeOrg>>;
  let other: Awaited<ReturnType<typeof makeOrg>>;
  let producer: ReturnType<typeof createProducer>;
  let recorder: ReturnType<typeof startRecorder>;
  let produced: { frames: TelemetryFrame[]; events: SimEvent[] };

  beforeAll(async () => {
    // 3 partitions: a run's vehicles land on different partitions, as in production.
    await ensureTopics(kafka, { prefix, partitions: 3, overrides: '' });
    [org, other] = await Promise.all([makeOrg('rec'), makeOrg('rec-other')]);
    producer = createProducer(kafka);
    await producer.connect();
    recorder = startRecorder();
  });

  afterAll(async () => {
    recorder?.child.kill('SIGTERM');
    await recorder?.exited;
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topic(t, prefix)) }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a simulated run reads back with every frame exactly once and every event', async () => {
    const runId = org.ids.runId;
    produced = simulate(org.org.id, runId);
    expect(produced.frames).toHaveLength(4 * 20 * 10);
    expect(produced.events.at(-1)?.type).toBe('run_finished');
    const telemetry = topic(TOPICS.telemetry, prefix);
    const events = topic(TOPICS.events, prefix);
    const send = (list: TelemetryFrame[]) =>
      producer.send({
        topic: telemetry,
        messages: list.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) })),
      });
    // Ticks in batches, as the simulator publishes; events after their tick's frames.
    for (let i = 0; i < produced.frames.length; i += 80) await send(produced.frames.slice(i, i + 80));
    // Redelivery (producer retry) of 50 frames, a malformed message, and a frame claiming the
    // run for another org: the file keeps each frame once, the bad ones go to the DLQ.
    await send(produced.frames.slice(100, 150));
    await producer.send({ topic: telemetry, messages: [{ key: 'bad', value: '{"v":1,"not":"a frame"' }] });
    await send([{ ...produced.frames[0]!, orgId: other.org.id, seq: 9999 }]);
    await producer.send({
      topic: events,
      messages: produced.events.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    });

    await waitForRecording(org.org.id, runId);

    const readable = (await store.openReader(recordingKey(org.org.id, runId)))!;
    const reader = await McapIndexedReader.Initialize({ readable });
    const decoder = new TextDecoder();
    const frames: TelemetryFrame[] = [];
    const gotEvents: SimEvent[] = [];
    for await (const msg of reader.readMessages()) {
      const channel = reader.channelsById.get(msg.channelId)!;
      const value = JSON.parse(decoder.decode(msg.data));
      if (channel.topic === '/events') gotEvents.push(value);
      else {
        expect(channel.topic).toBe(`/vehicle/${value.vehicleId}/telemetry`);
        expect(msg.logTime).toBe(BigInt(Math.round(value.t * 1e9)));
        frames.push(value);
      }
    }
    const channels = [...reader.channelsById.values()];
    expect(channels.map((c) => c.topic).sort()).toEqual(
      ['/events', ...Object.keys(perVehicle(produced.frames)).map((v) => `/vehicle/${v}/telemetry`)].sort(),
    );
    for (const c of channels) {
      expect(c.messageEncoding).toBe('json');
      const schema = reader.schemasById.get(c.schemaId)!;
      expect(schema.encoding).toBe('jsonschema');
      expect(JSON.parse(decoder.decode(schema.data)).type).toBe('object');
    }
    expect(reader.chunkIndexes.length).toBeGreaterThan(0);
    await readable.close();

    expect(frames).toHaveLength(produced.frames.length);
    expect(perVehicle(frames)).toEqual(perVehicle(produced.frames));
    expect(idHash(frames)).toBe(idHash(produced.frames));
    expect(new Set(frames.map(frameId)).size).toBe(frames.length);
    expect(gotEvents.map(eventIdentity).sort()).toEqual(produced.events.map(eventIdentity).sort());

    const rejected = await collect(
      kafka,
      topic(TOPICS.dlq, prefix),
      (v) => dlqMessageSchema.parse(JSON.parse(v!.toString())),
      (items) => items.length >= 2,
      15_000,
    );
    expect(rejected.map((r) => r.reason).sort()).toEqual(['parse', 'tenant']);
  });

  it('a time-range read returns only the frames in range, through the index', async () => {
    const runId = org.ids.runId;
    const inRange = produced.frames.filter((f) => f.t >= 2 && f.t <= 4);
    const part = (await readRecording(store, org.org.id, runId, { from: 2, to: 4 }))!;
    expect(part.frames.length).toBe(inRange.length);
    expect(part.frames.every((f) => f.t >= 2 && f.t <= 4)).toBe(true);
    expect(idHash(part.frames)).toBe(idHash(inRange));
    expect(part.events.every((e) => e.t >= 2 && e.t <= 4)).toBe(true);
    const ego = (await readRecording(store, org.org.id, runId, { vehicles: ['ego'], maxHz: 5 }))!;
    expect(new Set(ego.frames.map((f) => f.vehicleId))).toEqual(new Set(['ego']));
    expect(ego.frames.length).toBe(50);
  });

  it('the committed offsets reach the end of every partition once the run is closed', async () => {
    const admin = kafka.admin();
    await admin.connect();
    let last = '';
    try {
      const topics = [topic(TOPICS.telemetry, prefix), topic(TOPICS.events, prefix)];
      await expect
        .poll(
          async () => {
            const committed = await admin.fetchOffsets({ groupId, topics });
            const ends = new Map<string, string>();
            for (const t of topics)
              for (const e of await admin.fetchTopicOffsets(t)) ends.set(`${t}:${e.partition}`, e.high);
            last = JSON.stringify({ committed, ends: [...ends] });
            // fetchOffsets answers in its own topic order: match by name. An empty partition has
            // nothing to commit (-1) and a high watermark of 0.
            return committed.every((c) =>
              c.partitions.every((p) => {
                const high = ends.get(`${c.topic}:${p.partition}`);
                return p.offset === high || (p.offset === '-1' && high === '0');
              }),
            );
          },
          { timeout: 10_000 },
        )
        .toBe(true);
    } catch (err) {
      console.error('[recorder test] offsets', last);
      throw err;
    } finally {
      await admin.disconnect();
    }
  });

  it('the REST route downloads the file for its org and answers 404 to anyone else', async () => {
    const runId = org.ids.runId;
    const call = (key: string, id: string) =>
      GET(
        new Request(`http://localhost/api/v1/runs/${id}/recording`, { headers: { authorization: `Bearer ${key}` } }),
        { params: Promise.resolve({ id }) },
      );

    const res = await call(org.apiKey.key, runId);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toContain(`filename="${runId}.mcap"`);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(
      Buffer.compare(Buffer.from(body), await readFile(join(dataDir, ...recordingKey(org.org.id, runId).split('/')))),
    ).toBe(0);

    const foreign = await call(other.apiKey.key, runId);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ error: 'Run not found', code: 'NOT_FOUND' });

    // The other org's own run exists but has no recording yet: a clear 404.
    const none = await call(other.apiKey.key, other.ids.runId);
    expect(none.status).toBe(404);
    expect((await none.json()).error).toMatch(/no recording yet/);

    expect((await call('dlk_not-a-key', runId)).status).toBe(401);
  });
  it('a recorder killed mid-run (SIGKILL) is replaced and the file still holds every frame exactly once', async () => {
    const version = await db.scenarioVersion.findFirstOrThrow({ where: { scenarioId: org.ids.scenarioId } });
    const run = await db.run.create({
      data: { orgId: org.org.id, scenarioId: org.ids.scenarioId, scenarioVersionId: version.id, state: 'running' },
    });
    const { frames, events } = simulate(org.org.id, run.id);
    const telemetry = topic(TOPICS.telemetry, prefix);
    const eventsTopic = topic(TOPICS.events, prefix);
    const sendFrames = (list: TelemetryFrame[]) =>
      producer.send({
        topic: telemetry,
        messages: list.map((f) => ({ key: telemetryKey(f), value: JSON.stringify(f) })),
      });
    const sendEvents = (list: SimEvent[]) =>
      producer.send({ topic: eventsTopic, messages: list.map((e) => ({ key: e.runId, value: JSON.stringify(e) })) });
    const firstHalf = frames.filter((f) => f.t < 5);
    await sendFrames(firstHalf);
    await sendEvents(events.filter((e) => e.t < 5));

    // Wait until the recorder is writing this run (its .partial file exists), then kill it hard.
    const orgDir = join(dataDir, 'recordings', org.org.id);
    await expect
      .poll(
        async () =>
          (await readdir(orgDir).catch(() => [])).some(
            (n) => n.startsWith(`${run.id}.mcap.`) && n.endsWith('.partial'),
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    recorder.child.kill('SIGKILL');
    await recorder.exited;

    recorder = startRecorder();
    await sendFrames(frames.filter((f) => f.t >= 5));
    await sendEvents(events.filter((e) => e.t >= 5));
    await waitForRecording(org.org.id, run.id, 45_000);

    const got = (await readRecording(store, org.org.id, run.id))!;
    expect(got.frames).toHaveLength(frames.length);
    expect(idHash(got.frames)).toBe(idHash(frames));
    expect(got.events.map(eventIdentity).sort()).toEqual(events.map(eventIdentity).sort());
    // The first run's file was not touched by the replay.
    expect((await readRecording(store, org.org.id, org.ids.runId))!.frames).toHaveLength(produced.frames.length);
  });
  it('stops cleanly on SIGTERM (exit 0); the org holds exactly its two closed recordings', async () => {
    recorder.child.kill('SIGTERM');
    expect(await recorder.exited).toBe(0);
    const names = await readdir(join(dataDir, 'recordings', org.org.id));
    expect(names.filter((n) => n.endsWith('.mcap')).sort()).toHaveLength(2);
  });
});
