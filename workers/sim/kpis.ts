import type { RunKpis } from '~/server/contracts/run-status';

/**
 * CARLA Leaderboard-style scoring of the ego: driving score = route completion × the product of
 * one penalty factor per infraction. Lane invasions, hard brakes and near misses are counted
 * but, as on the Leaderboard, carry no penalty.
 */
export const INFRACTION_PENALTIES = {
  collisionPedestrian: 0.5,
  collisionVehicle: 0.6,
  redLight: 0.7,
} as const;

export interface EgoTally {
  collisionsVehicle: number;
  collisionsPedestrian: number;
  redLight: number;
  laneInvasion: number;
  hardBrake: number;
  nearMiss: number;
  minTtc: number | null;
  distanceM: number;
  routeLengthM: number;
  elapsedS: number;
}

/** A tally before the first step: nothing counted yet, over a route of `routeLengthM` metres. */
export function emptyTally(routeLengthM: number): EgoTally {
  return {
    collisionsVehicle: 0,
    collisionsPedestrian: 0,
    redLight: 0,
    laneInvasion: 0,
    hardBrake: 0,
    nearMiss: 0,
    minTtc: null,
    distanceM: 0,
    routeLengthM,
    elapsedS: 0,
  };
}

export function computeKpis(ego: EgoTally, fleet: RunKpis['fleet']): RunKpis {
  const penalty =
    Math.pow(INFRACTION_PENALTIES.collisionPedestrian, ego.collisionsPedestrian) *
    Math.pow(INFRACTION_PENALTIES.collisionVehicle, ego.collisionsVehicle) *
    Math.pow(INFRACTION_PENALTIES.redLight, ego.redLight);
  const routeCompletion = ego.routeLengthM > 0 ? Math.min(1, ego.distanceM / ego.routeLengthM) : 1;
  return {
    collisions: {
      vehicle: ego.collisionsVehicle,
      pedestrian: ego.collisionsPedestrian,
      total: ego.collisionsVehicle + ego.collisionsPedestrian,
    },
    infractions: {
      redLight: ego.redLight,
      laneInvasion: ego.laneInvasion,
      hardBrake: ego.hardBrake,
      nearMiss: ego.nearMiss,
      total: ego.collisionsVehicle + ego.collisionsPedestrian + ego.redLight + ego.laneInvasion,
    },
    routeCompletion,
    minTtc: ego.minTtc,
    infractionPenalty: penalty,
    drivingScore: routeCompletion * penalty,
    distanceM: ego.distanceM,
    meanSpeed: ego.elapsedS > 0 ? ego.distanceM / ego.elapsedS : 0,
    fleet,
  };
}
