import { resolveWeather, scenarioSchema, type ScenarioInput } from '~/server/contracts/scenario';
import { getMap } from '~/workers/sim';
import { scheduleFaults } from '~/workers/sim/faults';
import { createRng } from '~/workers/sim/prng';
import { makeVehicle, spawnVehicles, type SpawnContext } from '~/workers/sim/spawning';
import type { SimVehicle } from '~/workers/sim/vehicle';

/** A spawn context for a scenario, as the engine builds it (ambient fixed at 20 °C). */
export function spawnContext(input: ScenarioInput): SpawnContext {
  const scenario = scenarioSchema.parse(input);
  return {
    scenario,
    map: getMap(scenario.map),
    weather: resolveWeather(scenario.weather),
    ambient: 20,
    faults: scheduleFaults(scenario.faults),
    orgId: 'org_unit',
    runId: 'run_unit',
  };
}

/** The ego alone on the highway ring, plus a helper to put NPCs on a lane relative to it. */
export function egoOnRing(targetSpeed = 30): {
  ctx: SpawnContext;
  ego: SimVehicle;
  vehicles: SimVehicle[];
  place: (lane: SimVehicle['lane'], s: number, v: number) => SimVehicle;
} {
  const ctx = spawnContext({
    map: 'highway_ring',
    seed: 1,
    durationS: 10,
    ego: { targetSpeed, driver: 'normal' },
    traffic: { vehicles: 0, pedestrians: 0 },
    sensors: { dropoutRate: 0 },
  });
  const vehicles = spawnVehicles(ctx);
  const ego = vehicles[0]!;
  const place = (lane: SimVehicle['lane'], s: number, v: number) => {
    const i = vehicles.length;
    const o = makeVehicle(ctx, `npc-${i - 1}`, i, false, 'vehicle.tesla.model3', lane, s, createRng(1, `t:${i}`));
    o.body.v = v;
    vehicles.push(o);
    return o;
  };
  return { ctx, ego, vehicles, place };
}
