import { z } from 'zod';

/**
 * Telemetry frame v1: one JSON object per vehicle per tick (../shared/DESIGN.md).
 * A sensor that dropped out reports null, never a made-up value; ground truth about faults
 * never travels here (only as fault_start/fault_end events).
 */
const reading = z.number().nullable();

export const telemetryFrameSchema = z.object({
  v: z.literal(1),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  vehicleId: z.string().min(1),
  /** Per-vehicle sequence number, starting at 0; gaps mean lost frames. */
  seq: z.number().int().nonnegative(),
  /** Event time: seconds of simulation since the run started. */
  t: z.number().nonnegative(),
  /** Wall-clock epoch milliseconds when the frame was produced. */
  ts: z.number().int().nonnegative(),
  pose: z.object({ x: z.number(), y: z.number(), z: z.number(), yaw: z.number() }),
  gnss: z.object({ lat: reading, lon: reading, alt: reading }),
  /** m/s */
  speed: reading,
  /** m/s², longitudinal and lateral */
  accel: z.object({ lon: reading, lat: reading }),
  /** rad/s */
  yawRate: reading,
  control: z.object({
    throttle: z.number().min(0).max(1),
    brake: z.number().min(0).max(1),
    steer: z.number().min(-1).max(1),
  }),
  powertrain: z.object({
    rpm: reading,
    /** °C */
    engineTemp: reading,
    /** 0..1 */
    batterySoc: reading,
    /** °C */
    batteryTemp: reading,
  }),
  /** bar */
  brakes: z.object({ pressure: reading }),
  /** kPa, front-left, front-right, rear-left, rear-right */
  tires: z.object({ pressure: z.tuple([reading, reading, reading, reading]) }),
  /** m from lane centre, positive to the left */
  lane: z.object({ offset: reading }),
  /** The vehicle ahead in the same lane; nulls when nothing is ahead or the radar dropped out. */
  lead: z.object({ distance: reading, ttc: reading }),
  /**
   * m/s², accelerometer RMS of the body; null when the sensor dropped out. Optional so that
   * producers without an accelerometer (older bridges) keep sending valid frames.
   */
  vibration: reading.optional(),
});

export type TelemetryFrame = z.infer<typeof telemetryFrameSchema>;

/** Kafka key of a frame: all frames of one vehicle of one run go to one partition, in order. */
export function telemetryKey(frame: Pick<TelemetryFrame, 'runId' | 'vehicleId'>): string {
  return `${frame.runId}:${frame.vehicleId}`;
}
