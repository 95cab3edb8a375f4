import type { TelemetryFrame } from '~/server/contracts/telemetry';

/** A valid telemetry frame; tests override what they care about. */
export function frame(overrides: Partial<TelemetryFrame> = {}): TelemetryFrame {
  return {
    v: 1,
    orgId: 'org_test',
    runId: 'run_test',
    vehicleId: 'ego',
    seq: 0,
    t: 0,
    ts: 1_700_000_000_000,
    pose: { x: 0, y: 0, z: 0, yaw: 0 },
    gnss: { lat: 48.1, lon: 11.5, alt: 520 },
    speed: 12.5,
    accel: { lon: 0.2, lat: 0 },
    yawRate: 0,
    control: { throttle: 0.3, brake: 0, steer: 0 },
    powertrain: { rpm: 2100, engineTemp: 90, batterySoc: 0.8, batteryTemp: 30 },
    brakes: { pressure: 0 },
    tires: { pressure: [230, 230, 230, 230] },
    lane: { offset: 0.1 },
    lead: { distance: null, ttc: null },
    ...overrides,
  };
}
