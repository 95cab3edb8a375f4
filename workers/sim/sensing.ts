import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { SensorFaultState } from './faults';
import type { SimVehicle } from './vehicle';
import { vibrationRms } from './vibration';

/** Brake line pressure at full pedal, bar. */
export const BRAKE_PRESSURE_MAX_BAR = 150;

/**
 * Sensors: one telemetry frame of a vehicle, the state at t and the controls being applied from
 * t, as its sensor suite (sensors.ts: noise, dropouts, faults) reports them.
 */
export function senseFrame(v: SimVehicle, t: number, faults: SensorFaultState, ts: number): TelemetryFrame {
  const laneW = v.lane.width;
  const rel = v.d - Math.round(v.d / laneW) * laneW;
  return v.sensors.frame(
    {
      t,
      x: v.body.x,
      y: v.body.y,
      z: v.body.z,
      yaw: v.body.yaw,
      speed: v.body.v,
      accelLon: v.body.accel,
      accelLat: v.body.latAccel,
      yawRate: v.body.yawRate,
      throttle: v.act.throttle,
      brake: v.act.brake,
      steer: v.act.steer,
      rpm: v.body.rpm,
      engineTemp: v.health.engineTemp,
      batterySoc: v.health.batterySoc,
      batteryTemp: v.health.batteryTemp,
      brakePressure: v.act.brake * BRAKE_PRESSURE_MAX_BAR,
      tyres: v.health.tyres,
      laneOffset: rel,
      leadDistance: v.lead ? v.lead.gap : null,
      leadTtc: v.lead ? v.lead.ttc : null,
      vibration: vibrationRms({
        speed: v.body.v,
        rpm: v.body.rpm,
        engineTemp: v.health.engineTemp,
        tyres: v.health.tyres,
        brake: v.act.brake,
        brakeTemp: v.health.brakeTemp,
      }),
    },
    faults,
    ts,
  );
}
