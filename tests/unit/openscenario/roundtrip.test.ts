import { describe, expect, it } from 'vitest';
import {
  builtinMapIds,
  resolveWeather,
  scenarioPresets,
  scenarioSchema,
  weatherPresetNames,
  type Scenario,
} from '~/server/contracts/scenario';
import { exportXosc, importXosc } from '~/server/interop/openscenario';

const roundTrip = (s: Scenario) => importXosc(exportXosc(s));

describe('export → import round trip', () => {
  it.each(Object.entries(scenarioPresets))('preset %s comes back whole, with nothing unsupported', (_id, preset) => {
    const { scenario, unsupported } = roundTrip(preset);
    expect(unsupported).toEqual([]);
    expect(scenario.map).toBe(preset.map);
    expect(scenario.weather).toEqual(preset.weather);
    expect(scenario.ego.blueprint).toBe(preset.ego.blueprint);
    expect(scenario.traffic.vehicles).toBe(preset.traffic.vehicles);
    expect(scenario.durationS).toBe(preset.durationS);
    expect(scenario).toEqual(preset);
  });

  it('every map and every weather preset keeps its values', () => {
    for (const map of builtinMapIds) {
      for (const preset of weatherPresetNames) {
        const s = scenarioSchema.parse({ map, weather: { preset }, traffic: { vehicles: 2 } });
        const back = roundTrip(s).scenario;
        expect(back.map).toBe(map);
        expect(back.weather, `${map}/${preset}`).toEqual({ preset });
      }
    }
  });

  it('explicit weather values, faults, 200 NPCs and DriveLab-only fields survive', () => {
    const s = scenarioSchema.parse({
      name: 'R&D <night> "run"',
      backend: 'carla',
      map: 'rural_hills',
      weather: { preset: 'WetCloudySunset', fog: 33.3, sunAltitude: 7.5, wetness: 0 },
      timeOfDay: '06:05',
      ego: {
        blueprint: 'vehicle.mercedes.coupe_2020',
        targetSpeed: 19.4,
        driver: 'aggressive',
        spawn: { laneId: 'rural:r3', s: 12 },
        route: { lengthM: 900, turns: ['left', 'right'] },
      },
      traffic: { vehicles: 200, pedestrians: 12, aggressiveness: 0.75 },
      sensors: { rateHz: 50, dropoutRate: 0.1, noise: { gnssM: 2.5 } },
      faults: [
        { type: 'tire_leak', vehicle: 199, startS: 100, rampS: 60, severity: 0.5 },
        { type: 'sensor_stuck', vehicle: 'ego', sensor: 'imu', startS: 3 },
      ],
      durationS: 1800,
      seed: 2 ** 32 - 1,
      timeFactor: 12.5,
    });
    const { scenario, unsupported } = roundTrip(s);
    expect(unsupported).toEqual([]);
    expect(resolveWeather(scenario.weather)).toEqual(resolveWeather(s.weather));
    expect(scenario).toEqual(s);
  });
});
