/**
 * The layout of a run recording (MCAP), shared by the writer (workers/recorder) and the readers
 * (server/store/recording-reader.ts, the portal): one JSON channel per vehicle for telemetry and
 * one for events, message times = the frame's event time t in nanoseconds.
 */
export const TELEMETRY_SCHEMA_NAME = 'drivelab.TelemetryFrame';
export const EVENT_SCHEMA_NAME = 'drivelab.SimEvent';
export const EVENTS_TOPIC = '/events';

export function telemetryTopic(vehicleId: string): string {
  return `/vehicle/${vehicleId}/telemetry`;
}

/** The vehicle of a telemetry channel topic, or null for any other topic. */
export function vehicleOfTopic(topic: string): string | null {
  const m = /^\/vehicle\/(.+)\/telemetry$/.exec(topic);
  return m ? m[1]! : null;
}

/** Seconds of event time to MCAP nanoseconds (integral, so equal t gives equal timestamps). */
export function secondsToNs(t: number): bigint {
  return BigInt(Math.round(t * 1e9));
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
