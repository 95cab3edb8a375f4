import { z } from 'zod';

/**
 * The feature set, declared once. Models are trained on a version and served against it, so a
 * change of any name, order or definition is a new version, never an edit of this one.
 * Definitions (v1), per window of frames ordered by event time, nulls ignored, null when no data:
 * - std is the population standard deviation (divides by n).
 * - rates (jerk, steering rate) are Δvalue/Δt between consecutive non-null readings.
 * - slopes are least-squares slopes of the reading over event time (unit per second).
 * - tire_pressure_min is the lowest wheel of each frame; its slope is that per-frame minimum's.
 * - missing_frame_ratio = 1 − frames / (sensor rate × the part of the window at t ≥ 0), in [0, 1];
 *   seq_gap_count counts sequence numbers skipped between consecutive frames.
 * - stuck_channels counts continuous readings with ≥ 3 values that never change while the
 *   vehicle moves (mean speed ≥ 0.5 m/s); null when the speed is unknown. stuck_sensor is 1 when
 *   any channel is stuck.
 * - vibration_mean / vibration_max: the accelerometer RMS (m/s²) over the window. Appended: every
 *   consumer looks features up by name, so rows of v1 windows written before them simply lack them.
 */
export const FEATURE_SET = {
  version: 'v1',
  names: [
    'speed_mean',
    'speed_std',
    'speed_min',
    'speed_max',
    'accel_lon_mean',
    'accel_lon_std',
    'accel_lon_min',
    'accel_lon_max',
    'accel_lat_mean',
    'accel_lat_std',
    'accel_lat_min',
    'accel_lat_max',
    'jerk_max',
    'yaw_rate_std',
    'steering_rate_std',
    'throttle_mean',
    'brake_mean',
    'brake_pressure_mean',
    'brake_pressure_max',
    'engine_temp_mean',
    'engine_temp_slope',
    'battery_temp_mean',
    'battery_temp_max',
    'tire_pressure_min',
    'tire_pressure_min_slope',
    'lead_ttc_min',
    'lane_offset_std',
    'frame_count',
    'missing_frame_ratio',
    'seq_gap_count',
    'stuck_channels',
    'stuck_sensor',
    'vibration_mean',
    'vibration_max',
  ],
} as const;

export type FeatureName = (typeof FEATURE_SET.names)[number];

export const windowKindSchema = z.enum(['tumbling', 'sliding']);
export type WindowKind = z.infer<typeof windowKindSchema>;

/**
 * The fields that name one window of one vehicle in a run, the same in every message about a
 * window (its features, its predictions), so that consumers key and join them alike.
 */
export const vehicleWindowFields = {
  v: z.literal(1),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  vehicleId: z.string().min(1),
  /** Event time, seconds since the run started; sliding windows may start before 0. */
  windowStart: z.number(),
  windowEnd: z.number(),
};

/**
 * One closed (or late-updated) window of one vehicle on dl.features. Consumers upsert on
 * (runId, vehicleId, windowStart, windowSize); a higher revision replaces a lower one.
 */
export const featuresMessageSchema = z
  .object({
    ...vehicleWindowFields,
    /** Seconds. */
    windowSize: z.number().positive(),
    kind: windowKindSchema,
    featureSetVersion: z.string().min(1),
    names: z.array(z.string().min(1)),
    /** Aligned with names; null = no data for that feature in the window. */
    values: z.array(z.number().nullable()),
    frameCount: z.number().int().positive(),
    /** Wall-clock epoch ms of this emission. */
    emittedAt: z.number().int().nonnegative(),
    /** 0 for the first emission, +1 for every update by late frames. */
    revision: z.number().int().nonnegative(),
  })
  .refine((m) => m.values.length === m.names.length, { error: 'values must align with names', path: ['values'] })
  .refine((m) => m.windowEnd > m.windowStart, { error: 'windowEnd must be after windowStart', path: ['windowEnd'] });

export type FeaturesMessage = z.infer<typeof featuresMessageSchema>;

/** Kafka key of a features message: the same as the vehicle's telemetry key. */
export function featuresKey(m: Pick<FeaturesMessage, 'runId' | 'vehicleId'>): string {
  return `${m.runId}:${m.vehicleId}`;
}
