import type { VehicleParams } from '~/server/scenarios/blueprints';
import type { Actuation, Body, LongitudinalController } from './dynamics';
import type { DriverParams } from './driver';
import type { ScheduledFault } from './faults';
import type { Rng } from './prng';
import type { Lane } from '~/server/maps/road-network';
import type { SensorSuite } from './sensors';
import type { Health } from './thermal';

/** Everything the simulator keeps about one vehicle. */
export interface SimVehicle {
  id: string;
  index: number;
  isEgo: boolean;
  params: VehicleParams;
  driver: DriverParams;
  body: Body;
  health: Health;
  /** lane being tracked, arc length along it and signed offset from its centre (left +) */
  lane: Lane;
  s: number;
  d: number;
  seg: number;
  /** lanes to drive after the current one */
  plan: Lane[];
  /** m/s the driver wants on an open road */
  desiredSpeed: number;
  ctrl: LongitudinalController;
  act: Actuation;
  sensors: SensorSuite;
  /** behaviour decisions (route choice, red-light running, lane wander) */
  rng: Rng;
  faults: ScheduledFault[];
  /** m, lateral wander target (Ornstein-Uhlenbeck) */
  wander: number;
  laneChangeAllowedAt: number;
  /** after a collision the vehicle stands still until then */
  stoppedUntil: number;
  /** per approach lane: whether this driver goes through or stops for the light */
  signalDecision: Map<string, 'go' | 'stop'>;
  turnIndex: number;
  /** the ego's route destination until it gets there (scenario ego.route.to) */
  destination?: Destination;
  distance: number;
  /** ground-truth radar target */
  lead: { id: string; gap: number; ttc: number | null; speed: number } | null;
  // event latches, so one episode gives one event
  invading: boolean;
  nearMiss: boolean;
  hardBraking: boolean;
}

/** Where a vehicle is headed: metres from each lane's start to the goal, and the goal lanes. */
export interface Destination {
  dist: Map<Lane, number>;
  /** the destination lane and its same-direction neighbours: reaching any of them is arriving */
  goal: Set<Lane>;
}
