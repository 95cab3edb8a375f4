import { FEATURE_SET, type FeatureName } from '~/server/contracts/features';
import type { WindowPartial } from './partial';

/** Below this mean speed (m/s) a sensor that repeats itself may simply be reading a standstill. */
export const MOVING_SPEED = 0.5;
/** Fewer equal readings than this are not evidence of a stuck sensor. */
export const STUCK_MIN_READINGS = 3;

export interface WindowBounds {
  start: number;
  end: number;
  /** Frames per second the sensors were configured for. */
  sensorHz: number;
}

function missingFrameRatio(frames: number, b: WindowBounds): number | null {
  // Event time starts at 0: the part of a window before the run began cannot miss frames.
  const expected = Math.round((b.end - Math.max(b.start, 0)) * b.sensorHz);
  if (!(expected > 0)) return null;
  return Math.min(1, Math.max(0, 1 - frames / expected));
}

function stuckChannels(p: WindowPartial): number | null {
  if (p.speed.n === 0) return null;
  if (p.speed.mean < MOVING_SPEED) return 0;
  let stuck = 0;
  for (const m of p.stuckChannelMoments()) if (m.n >= STUCK_MIN_READINGS && m.max === m.min) stuck++;
  return stuck;
}

/** The feature values of a window, by name. */
export function featureRecord(p: WindowPartial, b: WindowBounds): Record<FeatureName, number | null> {
  const stuck = stuckChannels(p);
  return {
    speed_mean: p.speed.meanOrNull(),
    speed_std: p.speed.stdOrNull(),
    speed_min: p.speed.minOrNull(),
    speed_max: p.speed.maxOrNull(),
    accel_lon_mean: p.accelLon.meanOrNull(),
    accel_lon_std: p.accelLon.stdOrNull(),
    accel_lon_min: p.accelLon.minOrNull(),
    accel_lon_max: p.accelLon.maxOrNull(),
    accel_lat_mean: p.accelLat.meanOrNull(),
    accel_lat_std: p.accelLat.stdOrNull(),
    accel_lat_min: p.accelLat.minOrNull(),
    accel_lat_max: p.accelLat.maxOrNull(),
    jerk_max: p.jerk.absMaxOrNull(),
    yaw_rate_std: p.yawRate.stdOrNull(),
    steering_rate_std: p.steerRate.rates.stdOrNull(),
    throttle_mean: p.throttle.meanOrNull(),
    brake_mean: p.brake.meanOrNull(),
    brake_pressure_mean: p.brakePressure.meanOrNull(),
    brake_pressure_max: p.brakePressure.maxOrNull(),
    engine_temp_mean: p.engineTemp.meanOrNull(),
    engine_temp_slope: p.engineTempTrend.slopeOrNull(),
    battery_temp_mean: p.batteryTemp.meanOrNull(),
    battery_temp_max: p.batteryTemp.maxOrNull(),
    tire_pressure_min: p.tireMin.minOrNull(),
    tire_pressure_min_slope: p.tireMinTrend.slopeOrNull(),
    lead_ttc_min: p.leadTtc.minOrNull(),
    lane_offset_std: p.laneOffset.stdOrNull(),
    frame_count: p.frameCount,
    missing_frame_ratio: missingFrameRatio(p.frameCount, b),
    seq_gap_count: p.frameCount > 0 ? p.seqGaps : null,
    stuck_channels: stuck,
    stuck_sensor: stuck === null ? null : stuck > 0 ? 1 : 0,
    vibration_mean: p.vibration.meanOrNull(),
    vibration_max: p.vibration.maxOrNull(),
  };
}

/** The feature values aligned with FEATURE_SET.names, as they travel on dl.features. */
export function featureValues(p: WindowPartial, b: WindowBounds): (number | null)[] {
  const r = featureRecord(p, b);
  const names = FEATURE_SET.names;
  const out = new Array<number | null>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = r[names[i]!];
  return out;
}
