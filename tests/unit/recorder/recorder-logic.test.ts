import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader } from '@mcap/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SimEvent } from '~/server/contracts/events';
import { localObjectStore } from '~/server/store/object-store';
import { downsample, readRecording } from '~/server/store/recording-reader';
import { secondsToNs, vehicleOfTopic } from '~/server/store/recording-format';
import { recordingKey } from '~/server/store/recordings';
import { closeDecision } from '~/workers/recorder/close-policy';
import { FrameDeduper, eventIdentity } from '~/workers/recorder/dedupe';
import { committableOffsets } from '~/workers/recorder/offsets';
import { RunRecording } from '~/workers/recorder/run-recording';
import { frame } from '../../helpers/frames';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('committableOffsets', () => {
  it('moves past the last handled message when no open recording holds the partition', () => {
    const out = committableOffsets(
      new Map([
        ['t:0', 41n],
        ['t:1', 9n],
      ]),
      [],
    );
    expect(out).toEqual(
      new Map([
        ['t:0', 42n],
        ['t:1', 10n],
      ]),
    );
  });

  it('stays at the first message of the oldest open recording', () => {
    const last = new Map([
      ['t:0', 100n],
      ['t:1', 50n],
    ]);
    const out = committableOffsets(last, [
      new Map([['t:0', 70n]]),
      new Map([
        ['t:0', 30n],
        ['t:1', 45n],
      ]),
    ]);
    expect(out).toEqual(
      new Map([
        ['t:0', 30n],
        ['t:1', 45n],
      ]),
    );
  });
});

describe('closeDecision', () => {
  const policy = { graceMs: 1000, maxGraceMs: 5000, idleMs: 60_000 };
  it('keeps a run open while frames flow', () => {
    expect(closeDecision({ lastMessageAt: 900, finishedAt: null }, 1000, policy)).toBe('keep');
  });
  it('waits a grace period after run_finished for frames still in flight on other partitions', () => {
    expect(closeDecision({ lastMessageAt: 1500, finishedAt: 1000 }, 2200, policy)).toBe('keep');
    expect(closeDecision({ lastMessageAt: 1500, finishedAt: 1000 }, 2500, policy)).toBe('finished');
  });
  it('bounds the grace when frames keep coming after run_finished', () => {
    expect(closeDecision({ lastMessageAt: 5900, finishedAt: 1000 }, 6000, policy)).toBe('finished');
  });
  it('closes a run without run_finished after the idle timeout', () => {
    expect(closeDecision({ lastMessageAt: 0, finishedAt: null }, 59_999, policy)).toBe('keep');
    expect(closeDecision({ lastMessageAt: 0, finishedAt: null }, 60_000, policy)).toBe('idle');
  });
});

describe('dedupe', () => {
  it('accepts each (vehicleId, seq) once', () => {
    const d = new FrameDeduper();
    expect(d.accept('ego', 1)).toBe(true);
    expect(d.accept('ego', 1)).toBe(false);
    expect(d.accept('npc-0', 1)).toBe(true);
  });
  it('identifies events by content', () => {
    const e: SimEvent = {
      v: 1,
      orgId: 'o',
      runId: 'r',
      vehicleId: null,
      t: 1,
      ts: 2,
      type: 'run_finished',
      data: { reason: 'completed', frames: 3 },
    };
    expect(eventIdentity(e)).toBe(eventIdentity({ ...e, data: { ...e.data } }));
    expect(eventIdentity(e)).not.toBe(eventIdentity({ ...e, t: 2 }));
  });
});

describe('downsample', () => {
  it('keeps at most maxHz frames per vehicle per second of event time', () => {
    const frames = [];
    for (let i = 0; i < 40; i++) for (const v of ['a', 'b']) frames.push(frame({ vehicleId: v, seq: i, t: i * 0.05 }));
    const out = downsample(frames, 5);
    expect(out.filter((f) => f.vehicleId === 'a').map((f) => f.seq)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(out.filter((f) => f.vehicleId === 'b')).toHaveLength(10);
  });
});

describe('RunRecording → readRecording', () => {
  it('writes JSON-schema channels per vehicle, deduplicates, and reads back by time range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rec-unit-'));
    dirs.push(dir);
    const store = localObjectStore(dir);
    const rec = await RunRecording.open(store, 'org_a', 'run_a');
    // Out of order across vehicles, as partitions interleave; one duplicate.
    for (const v of ['npc-0', 'ego'])
      for (let i = 0; i < 100; i++)
        await rec.addFrame(frame({ orgId: 'org_a', runId: 'run_a', vehicleId: v, seq: i, t: i * 0.05 }));
    expect(await rec.addFrame(frame({ orgId: 'org_a', runId: 'run_a', vehicleId: 'ego', seq: 5, t: 0.25 }))).toBe(
      false,
    );
    await rec.addEvent({
      v: 1,
      orgId: 'org_a',
      runId: 'run_a',
      vehicleId: null,
      t: 5,
      ts: 1,
      type: 'run_finished',
      data: { reason: 'completed', frames: 200 },
    });
    expect(await store.openReader(recordingKey('org_a', 'run_a'))).toBeNull(); // not visible before close
    await rec.close();

    const readable = (await store.openReader(recordingKey('org_a', 'run_a')))!;
    const reader = await McapIndexedReader.Initialize({ readable });
    const channels = [...reader.channelsById.values()];
    expect(channels.map((c) => c.topic).sort()).toEqual([
      '/events',
      '/vehicle/ego/telemetry',
      '/vehicle/npc-0/telemetry',
    ]);
    for (const c of channels) {
      expect(c.messageEncoding).toBe('json');
      const schema = reader.schemasById.get(c.schemaId)!;
      expect(schema.encoding).toBe('jsonschema');
      expect(JSON.parse(new TextDecoder().decode(schema.data))).toHaveProperty('type', 'object');
    }
    expect(reader.statistics?.messageCount).toBe(201n);
    expect(reader.chunkIndexes.length).toBeGreaterThan(0);
    await readable.close();

    const all = (await readRecording(store, 'org_a', 'run_a'))!;
    expect(all.frames).toHaveLength(200);
    expect(all.events.map((e) => e.type)).toEqual(['run_finished']);
    expect(all.vehicles).toEqual(['ego', 'npc-0']);

    const part = (await readRecording(store, 'org_a', 'run_a', { from: 1, to: 2, vehicles: ['ego'] }))!;
    expect(part.frames.every((f) => f.vehicleId === 'ego' && f.t >= 1 && f.t <= 2)).toBe(true);
    expect(part.frames).toHaveLength(21);
    expect(part.events).toHaveLength(0);
    expect(await readRecording(store, 'org_b', 'run_a')).toBeNull();
  });

  it('maps topics and times', () => {
    expect(vehicleOfTopic('/vehicle/npc-3/telemetry')).toBe('npc-3');
    expect(vehicleOfTopic('/events')).toBeNull();
    expect(secondsToNs(0.05)).toBe(50_000_000n);
  });
});
