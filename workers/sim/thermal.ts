import type { VehicleParams } from '~/server/scenarios/blueprints';

/**
 * Slow physical states of a vehicle — coolant, battery, brake discs, tyres — integrated once per
 * tick. Faults act on these models' parameters, so each fault leaves a physical trace in the
 * telemetry rather than a painted-on one.
 */

export interface Health {
  /** °C, engine coolant (motor/inverter loop for EVs) */
  engineTemp: number;
  /** 0..1 */
  batterySoc: number;
  /** °C */
  batteryTemp: number;
  /** °C, brake discs (not a telemetry channel: it shows only through decel per pressure) */
  brakeTemp: number;
  /** kPa gauge, FL FR RL RR */
  tyres: [number, number, number, number];
}

/** Fault intensities (0..1) that the physical models react to. */
export interface FaultLoads {
  brakeFade: number;
  overheat: number;
  /** per tyre, 0..1 */
  leak: [number, number, number, number];
  runaway: number;
}

export const NO_FAULTS: FaultLoads = { brakeFade: 0, overheat: 0, leak: [0, 0, 0, 0], runaway: 0 };

export function initialHealth(p: VehicleParams, ambient: number, jitter: number): Health {
  return {
    engineTemp: p.coolantTemp + jitter * 2,
    batterySoc: p.powertrain === 'ev' ? 0.8 + jitter * 0.05 : 0.86 + jitter * 0.02,
    batteryTemp: Math.max(ambient + 5, 25) + jitter,
    brakeTemp: ambient + 40,
    tyres: [p.tyrePressure, p.tyrePressure, p.tyrePressure, p.tyrePressure],
  };
}

/** Share of nominal brake force delivered: hot discs fade, and a fading system fades early. */
export function brakeEffectiveness(h: Health, f: FaultLoads): number {
  const onset = 380 - 260 * f.brakeFade;
  const thermal = Math.min(0.55, Math.max(0, (h.brakeTemp - onset) / 300));
  return Math.max(0.15, (1 - thermal) * (1 - 0.45 * f.brakeFade));
}

/** Under-inflated tyres roll worse. */
export function rollingFactor(p: VehicleParams, h: Health): number {
  let deficit = 0;
  for (const t of h.tyres) deficit += Math.max(0, 1 - t / p.tyrePressure);
  return 1 + 0.6 * deficit;
}

/** Steering pull (rad) from a pressure difference between the left and right tyres. */
export function tyrePull(p: VehicleParams, h: Health): number {
  const left = h.tyres[0] + h.tyres[2];
  const right = h.tyres[1] + h.tyres[3];
  return (0.03 * (right - left)) / (2 * p.tyrePressure);
}

export function updateHealth(
  p: VehicleParams,
  h: Health,
  f: FaultLoads,
  io: { tractionPower: number; brakeEnergy: number; v: number; ambient: number },
  dt: number,
): void {
  const massScale = p.mass / 1600;
  // Coolant: heat from the drive losses, removed by a thermostat-regulated radiator whose
  // capacity the overheat fault takes away.
  // The overheat fault (failing pump or fan, low coolant) takes radiator capacity away and lets
  // hot spots add heat the loop no longer carries off.
  const heat =
    (p.powertrain === 'ev' ? 400 + 0.1 * Math.max(0, io.tractionPower) : 3000 + 1.1 * Math.max(0, io.tractionPower)) +
    8000 * f.overheat;
  const thermostat = Math.min(1, Math.max(0.03, (h.engineTemp - (p.coolantTemp - 4)) / 6));
  const radiator = (p.powertrain === 'ev' ? 250 + 8 * io.v : 900 + 25 * io.v) * (1 - 0.97 * f.overheat);
  const cool = radiator * thermostat * Math.max(0, h.engineTemp - io.ambient);
  h.engineTemp += ((heat - cool) / 30_000) * dt;

  // Battery: traction pack for EVs (with regeneration), 12 V battery topped up by the alternator for ICEs.
  const capacityJ = p.batteryKwh * 3.6e6;
  let battPower: number;
  if (p.powertrain === 'ev') {
    battPower = Math.max(0, io.tractionPower) / 0.92 + 800 - (0.6 * io.brakeEnergy) / dt;
  } else {
    battPower = h.batterySoc < 0.9 ? -60 : 40;
  }
  const battC = p.powertrain === 'ev' ? 450_000 : 15_000;
  const joule = p.powertrain === 'ev' ? 4e-7 * battPower * battPower : 0.5;
  const battCool = (p.powertrain === 'ev' ? 180 : 4) * Math.max(0, h.batteryTemp - Math.max(io.ambient, 25));
  h.batteryTemp += ((joule - battCool) / battC) * dt;
  if (f.runaway > 0) {
    // Runaway onset: exothermic reactions that heat faster the hotter the cells get.
    h.batteryTemp += Math.min(8, 0.5 * f.runaway * Math.exp((h.batteryTemp - 35) / 6)) * dt;
    battPower += 2000 * f.runaway;
  }
  h.batterySoc = Math.min(1, Math.max(0, h.batterySoc - (battPower * dt) / capacityJ));

  // Brake discs: all braking energy in, convective cooling that grows with speed out.
  const discC = 16_000 * massScale;
  h.brakeTemp += (io.brakeEnergy - (18 + 5 * io.v) * massScale * (h.brakeTemp - io.ambient) * dt) / discC;

  // Tyres warm up with speed (gas law) and leak in proportion to their gauge pressure.
  const warm = p.tyrePressure * (1 + 0.0012 * io.v);
  for (let i = 0; i < 4; i++) {
    let t = h.tyres[i as 0];
    t += ((warm - t) / 200) * dt * (f.leak[i as 0] > 0 ? 0 : 1);
    t -= 0.02 * f.leak[i as 0] * t * dt;
    h.tyres[i as 0] = Math.max(0, t);
  }
}
