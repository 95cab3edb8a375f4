/**
 * Accelerometer RMS (m/s²) of the body, from the state the physical models leave: road and
 * driveline excitation grow with speed and rpm; an overheating engine knocks; a leaking tyre
 * unbalances its wheel (the spread between the tyres, felt more the faster it turns); hot brake
 * discs judder under braking. So engine_overheat, tire_leak and brake_fade raise it through
 * physics rather than a painted-on signal. Pure.
 */
export interface VibrationInput {
  /** m/s */
  speed: number;
  rpm: number;
  /** °C */
  engineTemp: number;
  /** kPa, the four tyres */
  tyres: readonly [number, number, number, number];
  /** 0..1 pedal */
  brake: number;
  /** °C, brake discs */
  brakeTemp: number;
}

/** Above this coolant temperature (°C) the engine starts to knock. */
export const KNOCK_ONSET_C = 100;

export function vibrationRms(i: VibrationInput): number {
  const road = 0.06 + 0.006 * Math.max(0, i.speed);
  const driveline = 0.00002 * Math.max(0, i.rpm);
  const knock = 0.05 * Math.max(0, i.engineTemp - KNOCK_ONSET_C);
  const spread = Math.max(...i.tyres) - Math.min(...i.tyres);
  const imbalance = 0.0004 * spread * Math.max(0, i.speed);
  const judder = 0.6 * i.brake * Math.max(0, (i.brakeTemp - 300) / 200);
  return road + driveline + knock + imbalance + judder;
}
