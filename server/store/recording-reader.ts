import { McapIndexedReader } from '@mcap/core';
import { simEventSchema, type SimEvent } from '../contracts/events';
import { telemetryFrameSchema, type TelemetryFrame } from '../contracts/telemetry';
import type { ObjectStore } from './object-store';
import { EVENTS_TOPIC, secondsToNs, telemetryTopic, vehicleOfTopic } from './recording-format';
import { recordingKey } from './recordings';

/**
 * Reads a run's MCAP recording back (tests now, the portal's replay later). Topic and time filters
 * go to @mcap/core's indexed reader, which uses the chunk index to read only the chunks that
 * overlap [from, to], so a short window of a long run costs little. Message times are the frames'
 * event time t in nanoseconds (see workers/recorder).
 */

export interface ReadRecordingOptions {
  /** Seconds of simulation time, inclusive. */
  from?: number;
  to?: number;
  /** Only these vehicles' telemetry (events are always returned). */
  vehicles?: string[];
  /** Downsample each vehicle's frames to at most this rate (by event time). */
  maxHz?: number;
}

export interface Recording {
  /** Sorted by t, then vehicleId, then seq; each (vehicleId, seq) once. */
  frames: TelemetryFrame[];
  events: SimEvent[];
  vehicles: string[];
}

/** The run's recording, or null when no closed recording exists for it. */
export async function readRecording(
  store: ObjectStore,
  orgId: string,
  runId: string,
  options: ReadRecordingOptions = {},
): Promise<Recording | null> {
  const readable = await store.openReader(recordingKey(orgId, runId));
  if (!readable) return null;
  try {
    const reader = await McapIndexedReader.Initialize({ readable });
    const channelTopics = [...reader.channelsById.values()].map((c) => c.topic);
    const vehicles = channelTopics
      .map(vehicleOfTopic)
      .filter((v): v is string => v !== null)
      .sort();
    const topics = options.vehicles ? [...options.vehicles.map(telemetryTopic), EVENTS_TOPIC] : undefined;
    const decoder = new TextDecoder();
    const frames: TelemetryFrame[] = [];
    const events: SimEvent[] = [];
    const seen = new Set<string>();
    for await (const msg of reader.readMessages({
      topics,
      startTime: options.from !== undefined ? secondsToNs(options.from) : undefined,
      endTime: options.to !== undefined ? secondsToNs(options.to) : undefined,
    })) {
      const channel = reader.channelsById.get(msg.channelId);
      if (!channel) continue;
      const json: unknown = JSON.parse(decoder.decode(msg.data));
      if (channel.topic === EVENTS_TOPIC) {
        events.push(simEventSchema.parse(json));
      } else if (vehicleOfTopic(channel.topic) !== null) {
        const f = telemetryFrameSchema.parse(json);
        // The recorder already writes each frame once; this keeps the promise for any file.
        const id = `${f.vehicleId}\u0000${f.seq}`;
        if (seen.has(id)) continue;
        seen.add(id);
        frames.push(f);
      }
    }
    frames.sort(
      (a, b) => a.t - b.t || (a.vehicleId < b.vehicleId ? -1 : a.vehicleId > b.vehicleId ? 1 : 0) || a.seq - b.seq,
    );
    events.sort((a, b) => a.t - b.t);
    return { frames: options.maxHz ? downsample(frames, options.maxHz) : frames, events, vehicles };
  } finally {
    await readable.close();
  }
}

/**
 * Keeps, per vehicle, a frame only when at least 1/maxHz seconds of event time passed since the
 * last kept one (a tolerance of 1% absorbs float jitter in t). Input sorted by t.
 */
export function downsample(frames: TelemetryFrame[], maxHz: number): TelemetryFrame[] {
  if (!(maxHz > 0)) return frames;
  const period = (1 / maxHz) * 0.99;
  const lastKept = new Map<string, number>();
  return frames.filter((f) => {
    const last = lastKept.get(f.vehicleId);
    if (last !== undefined && f.t - last < period) return false;
    lastKept.set(f.vehicleId, f.t);
    return true;
  });
}
