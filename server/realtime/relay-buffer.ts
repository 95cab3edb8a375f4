import type { SimEvent } from '../contracts/events';
import type { AlertMessage, PredictionMessage } from '../contracts/predictions';
import type { RunStatus } from '../contracts/run-status';
import type { TelemetryFrame } from '../contracts/telemetry';

/** What one flush sends to one room. */
export interface LiveBatch {
  frames: TelemetryFrame[];
  events: SimEvent[];
  status: RunStatus | null;
  /** Model scores of the run's windows (dl.predictions); run rooms only. */
  predictions: PredictionMessage[];
  /** Debounced alerts (dl.alerts), to the run's room and its org's room. */
  alerts: AlertMessage[];
}

export interface RelayBufferOptions {
  /** Frames per second per vehicle sent to browsers; the rest are dropped here. */
  rateHz: number;
  /** Frames kept per room between flushes; beyond it the oldest go (a burst never grows memory). */
  maxFramesPerRoom: number;
}

interface RoomState {
  frames: TelemetryFrame[];
  events: SimEvent[];
  status: RunStatus | null;
  predictions: PredictionMessage[];
  alerts: AlertMessage[];
}

export const runRoom = (runId: string) => `run:${runId}`;
export const orgRoom = (orgId: string) => `org:${orgId}`;

/**
 * Collects what the Kafka relay reads into per-room batches: telemetry downsampled per vehicle
 * by event time, events and the latest status kept whole. Pure and synchronous, so batching and
 * downsampling are tested without sockets.
 */
export class RelayBuffer {
  private readonly rooms = new Map<string, RoomState>();
  private readonly lastSent = new Map<string, number>();
  private readonly period: number;
  dropped = 0;

  constructor(private readonly opts: RelayBufferOptions) {
    // A little slack, so frames at exactly the target period are not lost to float rounding.
    this.period = 1 / opts.rateHz - 1e-6;
  }

  private room(name: string): RoomState {
    let r = this.rooms.get(name);
    if (!r) this.rooms.set(name, (r = { frames: [], events: [], status: null, predictions: [], alerts: [] }));
    return r;
  }

  /** Returns whether the frame was kept. `wanted(room)` lets the caller skip rooms nobody watches. */
  offerFrame(frame: TelemetryFrame, wanted: (room: string) => boolean = () => true): boolean {
    const name = runRoom(frame.runId);
    if (!wanted(name)) return false;
    const key = `${frame.runId}\u0000${frame.vehicleId}`;
    const last = this.lastSent.get(key);
    // A restart of event time (a new run reusing an id) or a gap resets the sampler.
    if (last !== undefined && frame.t >= last && frame.t - last < this.period) return false;
    this.lastSent.set(key, frame.t);
    const r = this.room(name);
    r.frames.push(frame);
    if (r.frames.length > this.opts.maxFramesPerRoom) {
      r.frames.shift();
      this.dropped++;
    }
    return true;
  }

  offerEvent(event: SimEvent, wanted: (room: string) => boolean = () => true): void {
    for (const name of [runRoom(event.runId), orgRoom(event.orgId)])
      if (wanted(name)) this.room(name).events.push(event);
  }

  /** Predictions are about one window per vehicle and model each second; bounded like frames. */
  offerPrediction(p: PredictionMessage, wanted: (room: string) => boolean = () => true): void {
    const name = runRoom(p.runId);
    if (!wanted(name)) return;
    const r = this.room(name);
    r.predictions.push(p);
    if (r.predictions.length > this.opts.maxFramesPerRoom) {
      r.predictions.shift();
      this.dropped++;
    }
  }

  offerAlert(a: AlertMessage, wanted: (room: string) => boolean = () => true): void {
    for (const name of [runRoom(a.runId), orgRoom(a.orgId)]) if (wanted(name)) this.room(name).alerts.push(a);
  }

  offerStatus(status: RunStatus, wanted: (room: string) => boolean = () => true): void {
    for (const name of [runRoom(status.runId), orgRoom(status.orgId)]) {
      if (!wanted(name)) continue;
      const r = this.room(name);
      if (!r.status || r.status.ts <= status.ts) r.status = status;
    }
    if (status.state === 'completed' || status.state === 'failed' || status.state === 'cancelled') {
      for (const key of this.lastSent.keys()) if (key.startsWith(`${status.runId}\u0000`)) this.lastSent.delete(key);
    }
  }

  /** Everything collected since the last flush, by room; the buffer starts empty again. */
  flush(): Map<string, LiveBatch> {
    const out = new Map<string, LiveBatch>();
    for (const [name, r] of this.rooms) {
      if (r.frames.length || r.events.length || r.status || r.predictions.length || r.alerts.length)
        out.set(name, { ...r });
    }
    this.rooms.clear();
    return out;
  }
}
