import { McapWriter, type IWritable } from '@mcap/core';
import type { SimEvent } from '~/server/contracts/events';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { ObjectStore, ObjectWriter } from '~/server/store/object-store';
import { recordingKey } from '~/server/store/recordings';
import { FrameDeduper, eventIdentity } from './dedupe';
import {
  EVENTS_TOPIC,
  EVENT_SCHEMA_NAME,
  TELEMETRY_SCHEMA_NAME,
  secondsToNs,
  telemetryTopic,
} from '~/server/store/recording-format';
import { jsonSchemas } from './schemas';

const enc = new TextEncoder();

/**
 * One run's MCAP file while it is being written. Messages go through @mcap/core's chunked writer
 * straight into an object-store writer, so memory stays bounded by one chunk; the file becomes
 * visible under its key only on close (summary, chunk index and statistics written first).
 *
 * McapWriter calls must not overlap: the recorder serialises every call on one queue.
 */
export class RunRecording {
  readonly key: string;
  frames = 0;
  events = 0;
  duplicates = 0;
  readonly #out: ObjectWriter;
  readonly #mcap: McapWriter;
  readonly #channels = new Map<string, number>();
  readonly #frameDedupe = new FrameDeduper();
  readonly #eventDedupe = new Set<string>();
  #telemetrySchemaId = -1;
  #eventSchemaId = -1;

  private constructor(
    readonly orgId: string,
    readonly runId: string,
    out: ObjectWriter,
    key: string,
  ) {
    this.#out = out;
    this.key = key;
    const writable: IWritable = { write: (buf) => out.write(buf), position: () => BigInt(out.bytes) };
    // 1 MiB chunks (the default) keep time-range reads cheap: the chunk index lets a reader skip
    // chunks outside the range. Chunks are uncompressed: no codec dependency for readers.
    this.#mcap = new McapWriter({ writable, chunkSize: 1024 * 1024 });
  }

  static async open(store: ObjectStore, orgId: string, runId: string): Promise<RunRecording> {
    const key = recordingKey(orgId, runId);
    const rec = new RunRecording(orgId, runId, await store.createWriter(key), key);
    await rec.#mcap.start({ profile: '', library: 'drivelab-recorder' });
    const schemas = jsonSchemas();
    rec.#telemetrySchemaId = await rec.#mcap.registerSchema({
      name: TELEMETRY_SCHEMA_NAME,
      encoding: 'jsonschema',
      data: schemas.telemetry,
    });
    rec.#eventSchemaId = await rec.#mcap.registerSchema({
      name: EVENT_SCHEMA_NAME,
      encoding: 'jsonschema',
      data: schemas.events,
    });
    return rec;
  }

  async #channel(topic: string, schemaId: number): Promise<number> {
    let id = this.#channels.get(topic);
    if (id === undefined) {
      id = await this.#mcap.registerChannel({
        topic,
        schemaId,
        messageEncoding: 'json',
        metadata: new Map([['runId', this.runId]]),
      });
      this.#channels.set(topic, id);
    }
    return id;
  }

  /** Writes a frame unless its (vehicleId, seq) is already in the file; true when written. */
  async addFrame(frame: TelemetryFrame): Promise<boolean> {
    if (!this.#frameDedupe.accept(frame.vehicleId, frame.seq)) {
      this.duplicates++;
      return false;
    }
    await this.#write(telemetryTopic(frame.vehicleId), this.#telemetrySchemaId, frame.seq, frame.t, frame);
    this.frames++;
    return true;
  }

  async addEvent(event: SimEvent): Promise<boolean> {
    const id = eventIdentity(event);
    if (this.#eventDedupe.has(id)) {
      this.duplicates++;
      return false;
    }
    this.#eventDedupe.add(id);
    await this.#write(EVENTS_TOPIC, this.#eventSchemaId, this.events, event.t, event);
    this.events++;
    return true;
  }

  /** One JSON message on the topic's channel, stamped at `t` seconds of simulation time. */
  async #write(topic: string, schemaId: number, sequence: number, t: number, message: unknown): Promise<void> {
    const channelId = await this.#channel(topic, schemaId);
    // Event time, not arrival time: replay and time-range reads follow the simulation clock.
    const time = secondsToNs(t);
    await this.#mcap.addMessage({
      channelId,
      sequence,
      logTime: time,
      publishTime: time,
      data: enc.encode(JSON.stringify(message)),
    });
  }

  /** Writes the summary and index, then makes the file visible under its key. */
  async close(): Promise<void> {
    await this.#mcap.end();
    await this.#out.commit();
  }

  async abort(): Promise<void> {
    await this.#out.abort();
  }
}
