import type { VehicleBlueprint } from '~/server/contracts/scenario';

/** Physical parameters of a vehicle type; every blueprint the scenario schema allows has one. */
export interface VehicleParams {
  powertrain: 'ev' | 'ice';
  /** kg */
  mass: number;
  /** m */
  length: number;
  width: number;
  wheelbase: number;
  dragCoeff: number;
  /** m² */
  frontalArea: number;
  rollingCoeff: number;
  /** m */
  wheelRadius: number;
  /** N·m at the motor/engine */
  maxTorque: number;
  /** W */
  maxPower: number;
  /** ICE: engine speed of peak torque; EV: unused */
  peakTorqueRpm: number;
  idleRpm: number;
  redlineRpm: number;
  /** ICE gearbox ratios; EV: one fixed reduction */
  gears: number[];
  finalDrive: number;
  /** rad */
  maxSteer: number;
  /** kWh: traction pack for EVs, 12 V battery for ICE */
  batteryKwh: number;
  /** N at full brake pedal with cold, healthy brakes */
  maxBrakeForce: number;
  /** kPa, cold */
  tyrePressure: number;
  /** °C the coolant loop settles at */
  coolantTemp: number;
}

const sedanIce = (o: Partial<VehicleParams>): VehicleParams => ({
  powertrain: 'ice',
  mass: 1600,
  length: 4.8,
  width: 1.85,
  wheelbase: 2.85,
  dragCoeff: 0.3,
  frontalArea: 2.3,
  rollingCoeff: 0.012,
  wheelRadius: 0.33,
  maxTorque: 350,
  maxPower: 180_000,
  peakTorqueRpm: 3500,
  idleRpm: 800,
  redlineRpm: 6500,
  gears: [3.5, 2.1, 1.4, 1.0, 0.8, 0.65],
  finalDrive: 3.7,
  maxSteer: 0.6,
  batteryKwh: 0.84,
  maxBrakeForce: 1600 * 9.81,
  tyrePressure: 230,
  coolantTemp: 90,
  ...o,
});

export const blueprintParams: Record<VehicleBlueprint, VehicleParams> = {
  'vehicle.tesla.model3': sedanIce({
    powertrain: 'ev',
    mass: 1850,
    length: 4.7,
    wheelbase: 2.88,
    dragCoeff: 0.23,
    frontalArea: 2.22,
    maxTorque: 420,
    maxPower: 208_000,
    gears: [9.0],
    finalDrive: 1,
    idleRpm: 0,
    redlineRpm: 16000,
    batteryKwh: 75,
    maxBrakeForce: 1850 * 9.81,
    tyrePressure: 290,
    coolantTemp: 45,
  }),
  'vehicle.lincoln.mkz_2020': sedanIce({
    mass: 1700,
    length: 4.92,
    wheelbase: 2.85,
    maxTorque: 380,
    maxPower: 180_000,
    maxBrakeForce: 1700 * 9.81,
  }),
  'vehicle.audi.a2': sedanIce({
    mass: 1000,
    length: 3.83,
    width: 1.67,
    wheelbase: 2.4,
    dragCoeff: 0.28,
    frontalArea: 2.0,
    maxTorque: 145,
    maxPower: 55_000,
    maxBrakeForce: 1000 * 9.81,
    tyrePressure: 220,
  }),
  'vehicle.mercedes.coupe_2020': sedanIce({
    mass: 1650,
    length: 4.84,
    wheelbase: 2.87,
    dragCoeff: 0.27,
    maxTorque: 370,
    maxPower: 190_000,
    maxBrakeForce: 1650 * 9.81,
  }),
  'vehicle.nissan.patrol_2021': sedanIce({
    mass: 2700,
    length: 5.17,
    width: 2.0,
    wheelbase: 3.08,
    dragCoeff: 0.38,
    frontalArea: 3.2,
    rollingCoeff: 0.014,
    maxTorque: 560,
    maxPower: 298_000,
    gears: [4.9, 3.2, 2.0, 1.4, 1.0, 0.8, 0.6],
    finalDrive: 3.4,
    maxBrakeForce: 2700 * 9.81,
    tyrePressure: 240,
  }),
  'vehicle.carlamotors.carlacola': sedanIce({
    mass: 7500,
    length: 5.3,
    width: 2.2,
    wheelbase: 3.4,
    dragCoeff: 0.6,
    frontalArea: 6.0,
    rollingCoeff: 0.008,
    wheelRadius: 0.45,
    maxTorque: 900,
    maxPower: 150_000,
    peakTorqueRpm: 1600,
    idleRpm: 650,
    redlineRpm: 2800,
    gears: [6.5, 4.0, 2.6, 1.7, 1.2, 1.0, 0.8],
    finalDrive: 3.9,
    maxSteer: 0.55,
    maxBrakeForce: 7500 * 9.81 * 0.8,
    tyrePressure: 600,
  }),
};

/** NPC types drawn by the spawner, with weights. */
export const npcBlueprintMix: readonly [VehicleBlueprint, number][] = [
  ['vehicle.tesla.model3', 3],
  ['vehicle.lincoln.mkz_2020', 3],
  ['vehicle.audi.a2', 2],
  ['vehicle.mercedes.coupe_2020', 2],
  ['vehicle.nissan.patrol_2021', 1],
  ['vehicle.carlamotors.carlacola', 1],
];
