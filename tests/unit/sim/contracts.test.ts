import { describe, expect, it } from 'vitest';
import { simEventSchema } from '~/server/contracts/events';
import { runStatusSchema } from '~/server/contracts/run-status';
import {
  formatScenarioError,
  resolveWeather,
  scenarioPresets,
  scenarioSchema,
  weatherPresets,
} from '~/server/contracts/scenario';
import { simCommandSchema } from '~/server/contracts/sim-commands';

describe('scenario schema', () => {
  it('fills every default from an empty object', () => {
    const s = scenarioSchema.parse({});
    expect(s).toMatchObject({ backend: 'builtin', map: 'highway_ring', seed: 1, timeFactor: 1, faults: [] });
    expect(s.sensors.rateHz).toBe(20);
    expect(s.ego.blueprint).toBe('vehicle.tesla.model3');
  });

  it('every preset is a valid scenario and survives a round trip', () => {
    for (const [id, p] of Object.entries(scenarioPresets)) {
      const r = scenarioSchema.safeParse(JSON.parse(JSON.stringify(p)));
      expect(r.success, id).toBe(true);
      if (r.success) expect(r.data).toEqual(p);
    }
    expect(Object.keys(scenarioPresets)).toEqual(
      expect.arrayContaining(['highway_cruise', 'urban_rush_hour', 'brake_fade_descent', 'sensor_dropout_rain']),
    );
  });

  it('explicit weather values override the preset', () => {
    expect(resolveWeather({ preset: 'HardRainNight' })).toEqual(weatherPresets.HardRainNight);
    expect(resolveWeather({ preset: 'HardRainNight', fog: 10, sunAltitude: 30 })).toMatchObject({
      fog: 10,
      sunAltitude: 30,
      precipitation: 100,
    });
  });

  it.each([
    [{ map: 'Town03' }, 'map: map must be one of urban_grid, highway_ring, rural_hills'],
    [{ sensors: { rateHz: 100 } }, 'sensors.rateHz: sensor rateHz must be between 10 and 50'],
    [{ sensors: { dropoutRate: 2 } }, 'sensors.dropoutRate: sensors dropoutRate must be between 0 and 1'],
    [{ timeFactor: 0.01 }, 'timeFactor'],
    [{ timeFactor: 'fast' }, "timeFactor must be a number >= 0.1 or 'max'"],
    [{ seed: 1.5 }, 'seed: seed must be an integer'],
    [{ faults: [{ type: 'flat_battery' }] }, 'faults.0.type: fault type must be one of brake_fade'],
    [{ faults: [{ type: 'tire_leak', severity: 3 }] }, 'faults.0.severity: fault severity must be between 0 and 1'],
    [{ weather: { preset: 'Sunny' } }, 'weather.preset: weather preset must be one of ClearNoon'],
    [{ weather: { fog: 120 } }, 'weather.fog: fog must be between 0 and 100'],
    [{ ego: { blueprint: 'vehicle.tesla.cybertruck' } }, 'ego.blueprint: ego blueprint must be one of'],
    [{ timeOfDay: '25:00' }, 'timeOfDay: timeOfDay must be HH:MM'],
    [
      { traffic: { vehicles: 2 }, faults: [{ type: 'brake_fade', vehicle: 'npc-5' }] },
      'faults.0.vehicle: fault vehicle "npc-5" does not exist',
    ],
    [
      { durationS: 30, faults: [{ type: 'brake_fade', startS: 40 }] },
      'faults.0.startS: fault startS (40) must be before the end of the run',
    ],
  ])('rejects %j with a clear message', (input, message) => {
    const r = scenarioSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(formatScenarioError(r.error)).toContain(message);
  });

  it('accepts NPC faults by index or id and timeFactor max', () => {
    const s = scenarioSchema.parse({
      traffic: { vehicles: 3 },
      timeFactor: 'max',
      faults: [
        { type: 'tire_leak', vehicle: 2 },
        { type: 'engine_overheat', vehicle: 'npc-0' },
      ],
    });
    expect(s.faults.map((f) => f.vehicle)).toEqual([2, 'npc-0']);
  });
});

describe('message contracts', () => {
  const base = { v: 1, orgId: 'org_1', runId: 'run_1' } as const;
  it('sim commands: start carries a resolved scenario, cancel only ids; orgId is required', () => {
    expect(simCommandSchema.parse({ ...base, type: 'start', scenarioVersionId: 'sv_1', scenario: {} }).type).toBe(
      'start',
    );
    expect(simCommandSchema.parse({ ...base, type: 'cancel' }).type).toBe('cancel');
    expect(simCommandSchema.safeParse({ v: 1, runId: 'r', type: 'cancel' }).success).toBe(false);
    expect(simCommandSchema.safeParse({ ...base, type: 'pause' }).success).toBe(false);
  });
  it('run status: states and bounds', () => {
    const ok = { ...base, state: 'running', progress: 0.5, simTime: 12, realTimeFactor: 250, ts: 1 };
    expect(runStatusSchema.safeParse(ok).success).toBe(true);
    expect(runStatusSchema.safeParse({ ...ok, state: 'paused' }).success).toBe(false);
    expect(runStatusSchema.safeParse({ ...ok, progress: 1.2 }).success).toBe(false);
  });
  it('events: the data must match the type', () => {
    const e = { ...base, vehicleId: 'ego', t: 1, ts: 1 };
    expect(
      simEventSchema.safeParse({ ...e, type: 'hard_brake', data: { decel: 5, speed: 10, threshold: 4 } }).success,
    ).toBe(true);
    expect(simEventSchema.safeParse({ ...e, type: 'hard_brake', data: { ttc: 1 } }).success).toBe(false);
    expect(simEventSchema.safeParse({ ...e, type: 'teleport', data: {} }).success).toBe(false);
  });
});
