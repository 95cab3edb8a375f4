import { describe, expect, it } from 'vitest';
import { FEATURE_SET, featuresMessageSchema, type FeaturesMessage } from '~/server/contracts/features';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createWindowOperator } from '~/workers/features';
import { mk, named } from './helpers';

/** Runs frames through an operator (1 s tumbling windows, no sliding) and returns the windows. */
function windowsOf(frames: TelemetryFrame[], sensorHz = 4): FeaturesMessage[] {
  const op = createWindowOperator({ sliding: null, sensorHz, outOfOrdernessS: 0.5 });
  const out: FeaturesMessage[] = [];
  frames.forEach((f, i) => out.push(...op.ingest(f, { partition: 0, offset: i }, 0).emitted));
  out.push(...op.flush(0).emitted);
  return out;
}

function only(frames: TelemetryFrame[], sensorHz = 4) {
  const ws = windowsOf(frames, sensorHz);
  expect(ws).toHaveLength(1);
  return named(ws[0]!);
}

// Four frames 0.25 s apart; every value chosen so that the expected feature is easy by hand.
const HAND = [
  mk({
    t: 0,
    seq: 0,
    speed: 10,
    lon: 1,
    lat: 0.5,
    yawRate: 0.1,
    throttle: 0.2,
    brake: 0,
    steer: 0,
    rpm: 2000,
    engineTemp: 90,
    batteryTemp: 30,
    brakePressure: 0,
    tires: [230, 231, 229, 232],
    laneOffset: 0.1,
    ttc: null,
  }),
  mk({
    t: 0.25,
    seq: 1,
    speed: 12,
    lon: 2,
    lat: -0.5,
    yawRate: 0.3,
    throttle: 0.4,
    brake: 0,
    steer: 0.1,
    rpm: 2100,
    engineTemp: 90.5,
    batteryTemp: 31,
    brakePressure: null,
    tires: [230, null, 228, 232],
    laneOffset: -0.1,
    ttc: 5,
  }),
  mk({
    t: 0.5,
    seq: 2,
    speed: null,
    lon: null,
    lat: 0.5,
    yawRate: 0.1,
    throttle: 0.6,
    brake: 0.5,
    steer: 0.1,
    rpm: 2200,
    engineTemp: 91,
    batteryTemp: null,
    brakePressure: 20,
    tires: [null, null, null, null],
    laneOffset: 0.1,
    ttc: 3.5,
  }),
  mk({
    t: 0.75,
    seq: 3,
    speed: 14,
    lon: 0,
    lat: -0.5,
    yawRate: 0.3,
    throttle: 0.8,
    brake: 0.5,
    steer: -0.1,
    rpm: 2300,
    engineTemp: 91.5,
    batteryTemp: 33,
    brakePressure: 40,
    tires: [226, 230, 227, 231],
    laneOffset: -0.1,
    ttc: 4,
  }),
];

describe('features of one window, by hand', () => {
  // Shuffled: the window must order frames by event time itself.
  const v = only([HAND[2]!, HAND[0]!, HAND[3]!, HAND[1]!]);

  it('speed: mean, population std, min, max over the non-null readings', () => {
    expect(v.speed_mean).toBeCloseTo(12, 12); // (10 + 12 + 14) / 3
    expect(v.speed_std).toBeCloseTo(Math.sqrt(8 / 3), 12); // deviations −2, 0, 2
    expect(v.speed_min).toBe(10);
    expect(v.speed_max).toBe(14);
  });

  it('longitudinal and lateral acceleration stats', () => {
    expect(v.accel_lon_mean).toBeCloseTo(1, 12); // (1 + 2 + 0) / 3
    expect(v.accel_lon_std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(v.accel_lon_min).toBe(0);
    expect(v.accel_lon_max).toBe(2);
    expect(v.accel_lat_mean).toBeCloseTo(0, 12);
    expect(v.accel_lat_std).toBeCloseTo(0.5, 12);
    expect(v.accel_lat_min).toBe(-0.5);
    expect(v.accel_lat_max).toBe(0.5);
  });

  it('jerk max between consecutive non-null readings: |2−1|/0.25 = 4 and |0−2|/0.5 = 4 (skipping the null)', () => {
    expect(v.jerk_max).toBeCloseTo(4, 12);
  });

  it('yaw-rate std and steering-rate std', () => {
    expect(v.yaw_rate_std).toBeCloseTo(0.1, 12);
    // Steering rates: 0.1/0.25 = 0.4, 0/0.25 = 0, −0.2/0.25 = −0.8; mean −2/15.
    const r = [0.4, 0, -0.8];
    const m = -2 / 15;
    expect(v.steering_rate_std).toBeCloseTo(Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / 3), 12);
  });

  it('throttle and brake means, brake pressure mean and max', () => {
    expect(v.throttle_mean).toBeCloseTo(0.5, 12);
    expect(v.brake_mean).toBeCloseTo(0.25, 12);
    expect(v.brake_pressure_mean).toBeCloseTo(20, 12); // (0 + 20 + 40) / 3, the null skipped
    expect(v.brake_pressure_max).toBe(40);
  });

  it('engine temperature mean and least-squares slope (0.5 °C every 0.25 s = 2 °C/s)', () => {
    expect(v.engine_temp_mean).toBeCloseTo(90.75, 12);
    expect(v.engine_temp_slope).toBeCloseTo(2, 10);
  });

  it('battery temperature mean and max', () => {
    expect(v.battery_temp_mean).toBeCloseTo(94 / 3, 12);
    expect(v.battery_temp_max).toBe(33);
  });

  it('minimum tyre pressure and the slope of the per-frame minimum (229, 228, —, 226: −4 kPa/s)', () => {
    expect(v.tire_pressure_min).toBe(226);
    expect(v.tire_pressure_min_slope).toBeCloseTo(-4, 10);
  });

  it('minimum lead TTC and lane-offset std', () => {
    expect(v.lead_ttc_min).toBe(3.5);
    expect(v.lane_offset_std).toBeCloseTo(0.1, 12);
  });

  it('frame count, missing-frame ratio, seq gaps, and no stuck sensor when everything moves', () => {
    expect(v.frame_count).toBe(4);
    expect(v.missing_frame_ratio).toBe(0);
    expect(v.seq_gap_count).toBe(0);
    expect(v.stuck_channels).toBe(0);
    expect(v.stuck_sensor).toBe(0);
  });

  it('the message validates against the dl.features contract, names aligned', () => {
    const [m] = windowsOf(HAND);
    expect(featuresMessageSchema.parse(m)).toBeTruthy();
    expect(m!.names).toEqual([...FEATURE_SET.names]);
    expect(m!.featureSetVersion).toBe(FEATURE_SET.version);
    expect(m!.values).toHaveLength(FEATURE_SET.names.length);
    expect(m).toMatchObject({
      kind: 'tumbling',
      windowStart: 0,
      windowEnd: 1,
      windowSize: 1,
      frameCount: 4,
      revision: 0,
    });
  });
});

describe('missing frames and sequence gaps', () => {
  it('ratio from the sensor rate: 4 frames where 5 Hz expects 5 → 0.2', () => {
    expect(only(HAND, 5).missing_frame_ratio).toBeCloseTo(0.2, 12);
  });

  it('counts sequence numbers skipped between consecutive frames (0, 1, 3, 6 → 1 + 2)', () => {
    const fs = [0, 1, 3, 6].map((seq, i) => mk({ t: i * 0.2, seq }));
    const v = only(fs, 10);
    expect(v.seq_gap_count).toBe(3);
    expect(v.missing_frame_ratio).toBeCloseTo(0.6, 12); // 4 of 10
  });

  it('an exact duplicate (same seq, e.g. a producer retry) counts once', () => {
    const v = only([HAND[0]!, HAND[1]!, HAND[1]!, HAND[2]!, HAND[3]!]);
    expect(v.frame_count).toBe(4);
    expect(v.speed_mean).toBeCloseTo(12, 12);
    expect(v.jerk_max).toBeCloseTo(4, 12);
  });
});

describe('nulls and stuck sensors', () => {
  it('reports null, not 0, for a sensor that sent nothing in the window', () => {
    const fs = [0, 0.5].map((t, i) =>
      mk({ t, seq: i, speed: null, lon: null, engineTemp: null, tires: [null, null, null, null], ttc: null }),
    );
    const v = only(fs);
    for (const name of [
      'speed_mean',
      'speed_std',
      'speed_min',
      'speed_max',
      'accel_lon_mean',
      'jerk_max',
      'engine_temp_mean',
      'engine_temp_slope',
      'tire_pressure_min',
      'tire_pressure_min_slope',
      'lead_ttc_min',
      'stuck_channels',
      'stuck_sensor',
    ] as const) {
      expect(v[name], name).toBeNull();
    }
    expect(v.frame_count).toBe(2);
  });

  it('a slope needs two readings at different instants', () => {
    const v = only([mk({ t: 0.1, seq: 0, engineTemp: 95 }), mk({ t: 0.3, seq: 1, engineTemp: null })]);
    expect(v.engine_temp_mean).toBe(95);
    expect(v.engine_temp_slope).toBeNull();
  });

  it('flags a reading that never changes while the vehicle moves', () => {
    const fs = [0, 0.25, 0.5, 0.75].map((t, i) => mk({ t, seq: i, speed: 10 + i, engineTemp: 88.4 }));
    const v = only(fs);
    expect(v.stuck_channels).toBe(1);
    expect(v.stuck_sensor).toBe(1);
  });

  it('counts every stuck channel', () => {
    const fs = [0, 0.25, 0.5, 0.75].map((t, i) =>
      mk({ t, seq: i, speed: 10 + i, engineTemp: 88.4, tires: [230, 231 + i, 229 + i, 232 + i], laneOffset: 0.3 }),
    );
    expect(only(fs).stuck_channels).toBe(3);
  });

  it('does not flag a standstill (mean speed below 0.5 m/s)', () => {
    const fs = [0, 0.25, 0.5, 0.75].map((t, i) => mk({ t, seq: i, speed: 0, engineTemp: 88.4 }));
    const v = only(fs);
    expect(v.stuck_channels).toBe(0);
    expect(v.stuck_sensor).toBe(0);
  });

  it('needs at least three equal readings', () => {
    const fs = [0, 0.25, 0.5].map((t, i) => mk({ t, seq: i, speed: 10 + i, engineTemp: i === 2 ? null : 88.4 }));
    expect(only(fs).stuck_sensor).toBe(0);
  });
});

describe('vibration', () => {
  it('aggregates the accelerometer RMS, ignoring dropouts, and is null when no frame had it', () => {
    const readings = [0.2, null, 0.4, 0.9];
    const v = only(readings.map((vibration, i) => ({ ...mk({ t: i * 0.25, seq: i }), vibration })));
    expect(v.vibration_mean).toBeCloseTo(0.5, 12);
    expect(v.vibration_max).toBeCloseTo(0.9, 12);
    // Frames of a producer without an accelerometer leave the field out entirely.
    const none = only([0, 0.5].map((t, i) => mk({ t, seq: i })));
    expect(none.vibration_mean).toBeNull();
    expect(none.vibration_max).toBeNull();
    expect(FEATURE_SET.names.slice(-2)).toEqual(['vibration_mean', 'vibration_max']);
  });
});
