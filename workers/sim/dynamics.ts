import type { VehicleParams } from '~/server/scenarios/blueprints';

/**
 * Vehicle physics: longitudinal forces (traction from throttle and engine speed, brakes, aero
 * drag, rolling resistance, grade) and a kinematic bicycle model for the lateral motion.
 */

export const G = 9.81;
const AIR_DENSITY = 1.2;
const DRIVELINE_EFFICIENCY = 0.9;

export interface Body {
  x: number;
  y: number;
  z: number;
  yaw: number;
  /** m/s, never negative (no reverse gear in the simulator) */
  v: number;
  /** m/s², longitudinal, from the last integration */
  accel: number;
  /** m/s² */
  latAccel: number;
  /** rad/s */
  yawRate: number;
  /** 1-based gear; 1 for EVs */
  gear: number;
  rpm: number;
}

export interface Actuation {
  throttle: number;
  brake: number;
  steer: number;
}

/** What the road and the vehicle's health add to the forces. */
export interface ForceContext {
  /** rise over run, positive uphill */
  grade: number;
  /** tyre-road friction coefficient */
  mu: number;
  /** 0..1 share of nominal brake force the brakes still deliver */
  brakeEffectiveness: number;
  /** multiplier of rolling resistance (under-inflated tyres roll worse) */
  rollingFactor: number;
}

export const NOMINAL_CONTEXT: ForceContext = { grade: 0, mu: 1, brakeEffectiveness: 1, rollingFactor: 1 };

function wheelRpm(p: VehicleParams, v: number): number {
  return (v / p.wheelRadius) * (60 / (2 * Math.PI));
}

/** Engine/motor speed in the current gear, with the automatic gearbox's shift logic for ICEs. */
export function selectGear(p: VehicleParams, body: Body, throttle: number): void {
  const w = wheelRpm(p, body.v);
  if (p.powertrain === 'ev') {
    body.gear = 1;
    body.rpm = w * p.gears[0]! * p.finalDrive;
    return;
  }
  const up = p.idleRpm + (p.redlineRpm - p.idleRpm) * (0.3 + 0.55 * throttle);
  const down = p.idleRpm * 1.5;
  let g = Math.min(Math.max(body.gear, 1), p.gears.length);
  const rpm = w * p.gears[g - 1]! * p.finalDrive;
  if (rpm > up && g < p.gears.length) g++;
  else if (rpm < down && g > 1) g--;
  body.gear = g;
  body.rpm = Math.max(p.idleRpm, w * p.gears[g - 1]! * p.finalDrive);
}

/** Peak tractive force available at this speed (full throttle), N. */
export function maxTraction(p: VehicleParams, body: Body, mu: number): number {
  let f: number;
  if (p.powertrain === 'ev') {
    f = (p.maxTorque * p.gears[0]! * p.finalDrive * DRIVELINE_EFFICIENCY) / p.wheelRadius;
  } else {
    // Torque curve: a parabola around the peak, never below half the peak torque.
    const r = (body.rpm - p.peakTorqueRpm) / p.peakTorqueRpm;
    const torque = p.maxTorque * Math.max(0.5, 1 - 0.35 * r * r);
    f = (torque * p.gears[body.gear - 1]! * p.finalDrive * DRIVELINE_EFFICIENCY) / p.wheelRadius;
  }
  f = Math.min(f, p.maxPower / Math.max(body.v, 1));
  // One driven axle carries about half the weight.
  return Math.min(f, 0.5 * mu * p.mass * G);
}

/** Forces opposing motion: aero drag, rolling resistance and gravity along the grade, N. */
export function resistance(p: VehicleParams, v: number, ctx: ForceContext): number {
  const theta = Math.atan(ctx.grade);
  const drag = 0.5 * AIR_DENSITY * p.dragCoeff * p.frontalArea * v * v;
  const roll = v > 0.01 ? p.rollingCoeff * ctx.rollingFactor * p.mass * G * Math.cos(theta) : 0;
  return drag + roll + p.mass * G * Math.sin(theta);
}

/** Brake force at the tyres; ABS keeps it at what the road can take. */
export function brakeForce(p: VehicleParams, brake: number, ctx: ForceContext): number {
  return Math.min(brake * p.maxBrakeForce * ctx.brakeEffectiveness, ctx.mu * p.mass * G);
}

/**
 * Integrates one physics step. Returns the energy the brakes absorbed (J), which heats them.
 * Steering: kinematic bicycle with the slip angle at the centre of mass; lateral acceleration is
 * capped by road friction (the car understeers instead of exceeding it).
 */
export function stepBody(
  p: VehicleParams,
  body: Body,
  u: Actuation,
  ctx: ForceContext,
  dt: number,
): { brakeEnergy: number; tractionPower: number } {
  selectGear(p, body, u.throttle);
  const traction = u.throttle * maxTraction(p, body, ctx.mu);
  const fb = brakeForce(p, u.brake, ctx);
  const resist = resistance(p, body.v, ctx);
  const v0 = body.v;
  let a = (traction - resist) / p.mass;
  // Brakes only ever stop the car; they cannot push it backwards.
  const brakeDecel = fb / p.mass;
  let v1 = v0 + (a - brakeDecel) * dt;
  if (v1 < 0) {
    // Stopped within the step: held by the brakes (or static friction when coasting uphill).
    v1 = 0;
  }
  a = (v1 - v0) / dt;
  const ds = 0.5 * (v0 + v1) * dt;
  body.v = v1;
  body.accel = a;

  const delta = u.steer * p.maxSteer;
  let k = Math.tan(delta) / p.wheelbase;
  const latLimit = 0.95 * ctx.mu * G;
  const vm = 0.5 * (v0 + v1);
  if (vm * vm * Math.abs(k) > latLimit) k = (Math.sign(k) * latLimit) / (vm * vm);
  const beta = Math.atan(0.5 * p.wheelbase * k);
  body.yawRate = vm * Math.cos(beta) * k;
  body.x += ds * Math.cos(body.yaw + beta);
  body.y += ds * Math.sin(body.yaw + beta);
  body.yaw += body.yawRate * dt;
  if (body.yaw > Math.PI) body.yaw -= 2 * Math.PI;
  else if (body.yaw <= -Math.PI) body.yaw += 2 * Math.PI;
  body.latAccel = vm * body.yawRate;
  return { brakeEnergy: Math.min(fb * ds, 0.5 * p.mass * (v0 * v0)), tractionPower: traction * vm };
}

/**
 * The driver's (or the ADAS's) pedal work: turns a wanted acceleration into throttle or brake.
 * Feed-forward from the nominal vehicle model, plus an integral term so that a vehicle whose
 * brakes fade gets more pedal for the same deceleration — the signature of brake fade.
 */
export class LongitudinalController {
  private integral = 0;

  command(
    p: VehicleParams,
    body: Body,
    aWanted: number,
    ctx: ForceContext,
    dt: number,
  ): { throttle: number; brake: number } {
    // The driver perceives the grade and friction but not the brake's health.
    const nominal: ForceContext = { grade: ctx.grade, mu: ctx.mu, brakeEffectiveness: 1, rollingFactor: 1 };
    if (body.v < 0.05 && aWanted <= 0) {
      this.integral = 0;
      return { throttle: 0, brake: Math.min(1, 0.3 + Math.max(0, -aWanted) / 10) };
    }
    const err = aWanted - body.accel;
    this.integral = Math.max(-4, Math.min(4, this.integral + err * dt * 1.5));
    const force = p.mass * (aWanted + this.integral) + resistance(p, body.v, nominal);
    if (force >= 0) {
      selectGear(p, body, 0.5);
      const max = maxTraction(p, body, ctx.mu);
      return { throttle: Math.min(1, max > 0 ? force / max : 0), brake: 0 };
    }
    return { throttle: 0, brake: Math.min(1, -force / p.maxBrakeForce) };
  }

  reset(): void {
    this.integral = 0;
  }
}
