/** The built-in simulator's public surface: pure and deterministic, no Kafka, no database. */
export { createSimulation, runScenario, NEAR_MISS_TTC, HARD_BRAKE_DECEL } from './simulation';
export type { Simulation, SimOptions, StepResult, VehicleTruth } from './simulation';
export { INFRACTION_PENALTIES, computeKpis } from './kpis';
export { getMap } from '~/server/maps';
export { createRng } from './prng';
