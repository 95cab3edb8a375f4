import { faultVehicleId, type FaultSpec, type SensorChannel } from '~/server/contracts/scenario';
import type { FaultLoads } from './thermal';

/** Scenario faults resolved onto vehicles, with their ramps and ground-truth lifecycle. */

export interface ScheduledFault {
  index: number;
  spec: FaultSpec;
  vehicleId: string;
  /** the tyre a leak affects, 0..3 (FL FR RL RR) */
  tyre: number;
  /** channel a sensor fault acts on */
  sensor: SensorChannel | null;
  started: boolean;
  ended: boolean;
}

export function scheduleFaults(specs: readonly FaultSpec[]): ScheduledFault[] {
  return specs.map((spec, index) => ({
    index,
    spec,
    vehicleId: faultVehicleId(spec.vehicle),
    // Rear tyres leak most often in fleet data; alternate so two leaks need not share a tyre.
    tyre: [2, 3, 0, 1][index % 4]!,
    sensor:
      spec.type === 'sensor_dropout'
        ? (spec.sensor ?? 'gnss')
        : spec.type === 'sensor_stuck'
          ? (spec.sensor ?? 'speed')
          : null,
    started: false,
    ended: false,
  }));
}

export function faultEnd(spec: FaultSpec): number {
  return spec.durationS === undefined ? Infinity : spec.startS + spec.durationS;
}

/** 0 before onset and after the end; ramps linearly to the severity over rampS. */
export function faultIntensity(spec: FaultSpec, t: number): number {
  if (t < spec.startS || t >= faultEnd(spec)) return 0;
  const ramp = spec.rampS > 0 ? Math.min(1, (t - spec.startS) / spec.rampS) : 1;
  return spec.severity * ramp;
}

export interface SensorFaultState {
  /** probability that a channel's reading is lost this frame */
  dropout: Partial<Record<SensorChannel, number>>;
  stuck: Partial<Record<SensorChannel, boolean>>;
  /** 0..1 intensity of GNSS drift */
  gnssDrift: number;
}

export interface FaultEffects {
  loads: FaultLoads;
  sensors: SensorFaultState;
}

const NO_LEAK: FaultLoads['leak'] = [0, 0, 0, 0];
Object.freeze(NO_LEAK);

/** Shared by every vehicle without an active fault (most of them, every tick); never mutated. */
export const NO_EFFECTS: FaultEffects = Object.freeze({
  loads: Object.freeze({
    brakeFade: 0,
    overheat: 0,
    leak: NO_LEAK,
    runaway: 0,
  }),
  sensors: Object.freeze({ dropout: Object.freeze({}), stuck: Object.freeze({}), gnssDrift: 0 }),
});

export function faultEffects(faults: readonly ScheduledFault[], t: number): FaultEffects {
  if (faults.length === 0) return NO_EFFECTS;
  const loads: FaultLoads = { brakeFade: 0, overheat: 0, leak: [0, 0, 0, 0], runaway: 0 };
  const sensors: SensorFaultState = { dropout: {}, stuck: {}, gnssDrift: 0 };
  for (const f of faults) {
    if (t < f.spec.startS || t >= faultEnd(f.spec)) continue;
    // A stuck sensor sticks at the onset; the others grow along their ramp.
    const k = faultIntensity(f.spec, t);
    switch (f.spec.type) {
      case 'brake_fade':
        loads.brakeFade = Math.max(loads.brakeFade, k);
        break;
      case 'engine_overheat':
        loads.overheat = Math.max(loads.overheat, k);
        break;
      case 'tire_leak':
        loads.leak[f.tyre as 0] = Math.max(loads.leak[f.tyre as 0], k);
        break;
      case 'battery_thermal_runaway':
        loads.runaway = Math.max(loads.runaway, k);
        break;
      case 'sensor_dropout':
        sensors.dropout[f.sensor!] = Math.max(sensors.dropout[f.sensor!] ?? 0, k);
        break;
      case 'sensor_stuck':
        sensors.stuck[f.sensor!] = true;
        break;
      case 'gnss_drift':
        sensors.gnssDrift = Math.max(sensors.gnssDrift, k);
        break;
    }
  }
  return { loads, sensors };
}
