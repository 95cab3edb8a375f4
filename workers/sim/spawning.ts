import type { Scenario, WeatherParams } from '~/server/contracts/scenario';
import type { Lane, RoadMap } from '~/server/maps/road-network';
import { blueprintParams, npcBlueprintMix } from '~/server/scenarios/blueprints';
import { LongitudinalController } from './dynamics';
import { driverProfilesParams, npcDriver } from './driver';
import type { ScheduledFault } from './faults';
import { createRng, type Rng } from './prng';
import { destinationOf, ensurePlan } from './routing';
import { SensorSuite } from './sensors';
import { initialHealth } from './thermal';
import type { SimVehicle } from './vehicle';

/** What placing vehicles needs to know of the run. */
export interface SpawnContext {
  scenario: Scenario;
  map: RoadMap;
  weather: WeatherParams;
  /** Ambient temperature, °C (initial engine, battery and brake temperatures). */
  ambient: number;
  faults: readonly ScheduledFault[];
  orgId: string;
  runId: string;
}

/**
 * The ego at its spawn point, then scenario.traffic.vehicles NPCs with blueprints drawn from the
 * mix: the first ones where traffic.placed puts them, the rest on road lanes longer than 40 m
 * with room to the vehicles already placed. Every
 * random draw comes from a stream named after its purpose (prng.ts), so a seed places the same
 * vehicles whatever else changes.
 */
export function spawnVehicles(c: SpawnContext): SimVehicle[] {
  const sc = c.scenario;
  const vehicles: SimVehicle[] = [];
  const spawn = sc.ego.spawn?.laneId ? { laneId: sc.ego.spawn.laneId, s: sc.ego.spawn.s } : c.map.egoSpawn;
  const egoLane = c.map.lanes.get(spawn.laneId);
  if (!egoLane) throw new Error(`ego spawn lane "${spawn.laneId}" does not exist on map ${c.map.id}`);
  const egoS = Math.min(spawn.s, egoLane.length - 1);
  const ego = makeVehicle(c, 'ego', 0, true, sc.ego.blueprint, egoLane, egoS, createRng(sc.seed, 'driver:ego'));
  if (sc.ego.route.to) {
    const dest = destinationOf(c.map, sc.ego.route.to.laneId);
    if (!dest)
      throw new Error(`ego route destination lane "${sc.ego.route.to.laneId}" does not exist on map ${c.map.id}`);
    if (!dest.goal.has(egoLane)) {
      ego.destination = dest;
      // The plan made at spawn knew no destination.
      ego.plan = [];
      ensurePlan(ego, sc.ego.route.turns);
    }
  }
  vehicles.push(ego);

  const rng = createRng(sc.seed, 'traffic-spawn');
  const candidates = c.map.laneList.filter((l) => l.kind === 'road' && l.length > 40);
  const totalLen = candidates.reduce((a, l) => a + l.length, 0);
  const weightSum = npcBlueprintMix.reduce((a, [, w]) => a + w, 0);
  for (let i = 0; i < sc.traffic.vehicles; i++) {
    let r = rng.next() * weightSum;
    let bp = npcBlueprintMix[0]![0];
    for (const [name, w] of npcBlueprintMix) {
      if ((r -= w) < 0) {
        bp = name;
        break;
      }
    }
    let placed: { lane: Lane; s: number } | null = null;
    const byHand = sc.traffic.placed[i];
    if (byHand) {
      const lane = c.map.lanes.get(byHand.laneId);
      if (!lane) throw new Error(`traffic vehicle npc-${i}: lane "${byHand.laneId}" does not exist on map ${c.map.id}`);
      placed = { lane, s: Math.min(byHand.s, lane.length - 1) };
    }
    for (let attempt = 0; attempt < 200 && !placed; attempt++) {
      let x = rng.next() * totalLen;
      let lane = candidates[0]!;
      for (const l of candidates) {
        lane = l;
        if ((x -= l.length) < 0) break;
      }
      const s = rng.range(8, lane.length - 15);
      // Room scales with the lane's speed; the requirement relaxes if the map is crowded.
      const need = (lane.speedLimit * 1.6 + 8) / (1 + Math.floor(attempt / 50));
      const clear = vehicles.every((o) => o.lane !== lane || Math.abs(o.s - s) > need);
      if (clear) placed = { lane, s };
    }
    if (!placed)
      throw new Error(`cannot place ${sc.traffic.vehicles} traffic vehicles on map ${c.map.id}: it is too crowded`);
    vehicles.push(
      makeVehicle(c, `npc-${i}`, i + 1, false, bp, placed.lane, placed.s, createRng(sc.seed, `driver:npc-${i}`)),
    );
  }
  return vehicles;
}

/** One vehicle at rest on a lane: driver, initial speed (80% of what it wants there), health, sensors. */
export function makeVehicle(
  c: SpawnContext,
  id: string,
  index: number,
  isEgo: boolean,
  blueprint: keyof typeof blueprintParams,
  lane: Lane,
  s: number,
  rng: Rng,
): SimVehicle {
  const sc = c.scenario;
  const params = blueprintParams[blueprint];
  const driver = isEgo ? driverProfilesParams[sc.ego.driver] : npcDriver(sc.traffic.aggressiveness, rng.next());
  const p = lane.poly.sample(s);
  const desiredSpeed = isEgo ? sc.ego.targetSpeed : lane.speedLimit * driver.speedFactor * rng.range(0.92, 1.05);
  const v0 = Math.min(desiredSpeed, lane.curveSpeed[lane.poly.segmentAt(s)] ?? lane.speedLimit) * 0.8;
  const veh: SimVehicle = {
    id,
    index,
    isEgo,
    params,
    driver,
    body: {
      x: p.x,
      y: p.y,
      z: p.z,
      yaw: p.heading,
      v: v0,
      accel: 0,
      latAccel: 0,
      yawRate: 0,
      gear: 1,
      rpm: params.idleRpm,
    },
    health: initialHealth(params, c.ambient, rng.normal()),
    lane,
    s,
    d: 0,
    seg: p.seg,
    plan: [],
    desiredSpeed,
    ctrl: new LongitudinalController(),
    act: { throttle: 0, brake: 0, steer: 0 },
    sensors: new SensorSuite(
      { orgId: c.orgId, runId: c.runId, vehicleId: id },
      sc.sensors,
      c.weather,
      c.map.origin,
      createRng(sc.seed, `sensors:${id}`),
    ),
    rng,
    faults: c.faults.filter((f) => f.vehicleId === id),
    wander: 0,
    laneChangeAllowedAt: 3 + rng.range(0, 3),
    stoppedUntil: -1,
    signalDecision: new Map(),
    turnIndex: 0,
    distance: 0,
    lead: null,
    invading: false,
    nearMiss: false,
    hardBraking: false,
  };
  ensurePlan(veh, sc.ego.route.turns);
  return veh;
}
