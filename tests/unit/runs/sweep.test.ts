import { describe, expect, it } from 'vitest';
import { scenarioPresets } from '~/server/contracts/scenario';
import { withParams } from '~/server/runs/commands';
import { expandSweep, gridSweep, latinHypercubeSweep, randomSweep } from '~/server/runs/sweep';

describe('campaign sweeps', () => {
  it('grid: every combination, numeric ranges at 3 levels by default', () => {
    const sets = gridSweep([
      { path: 'traffic.vehicles', min: 0, max: 20, integer: true },
      { path: 'ego.driver', values: ['calm', 'aggressive'] },
    ]);
    expect(sets).toHaveLength(6);
    expect(sets.map((s) => s['traffic.vehicles'])).toEqual([0, 0, 10, 10, 20, 20]);
    expect(new Set(sets.map((s) => `${s['traffic.vehicles']}-${s['ego.driver']}`)).size).toBe(6);
  });

  it('grid refuses an explosion of combinations with a clear message', () => {
    const dims = Array.from({ length: 6 }, (_, i) => ({ path: `p${i}`, min: 0, max: 1, integer: false, steps: 5 }));
    expect(() => gridSweep(dims)).toThrow(/more than 500 combinations/);
  });

  it('random: n sets inside the ranges, reproducible by seed', () => {
    const dims = [{ path: 'ego.targetSpeed', min: 10, max: 30, integer: false }];
    const a = randomSweep(dims, 50, 7);
    expect(a).toHaveLength(50);
    expect(a.every((s) => (s['ego.targetSpeed'] as number) >= 10 && (s['ego.targetSpeed'] as number) <= 30)).toBe(true);
    expect(randomSweep(dims, 50, 7)).toEqual(a);
    expect(randomSweep(dims, 50, 8)).not.toEqual(a);
  });

  it('Latin hypercube: each of n strata of every dimension is used exactly once', () => {
    const n = 20;
    const sets = latinHypercubeSweep(
      [
        { path: 'x', min: 0, max: 1, integer: false },
        { path: 'y', min: 100, max: 200, integer: false },
      ],
      n,
      3,
    );
    for (const [path, min, max] of [
      ['x', 0, 1],
      ['y', 100, 200],
    ] as const) {
      const strata = sets
        .map((s) => Math.min(n - 1, Math.floor((((s[path] as number) - min) / (max - min)) * n)))
        .sort((a, b) => a - b);
      expect(strata).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('integer ranges stay integers within bounds; enum values are drawn from the list', () => {
    const sets = expandSweep(
      'lhs',
      [
        { path: 'traffic.vehicles', min: 2, max: 9, integer: true },
        { path: 'map', values: ['urban_grid', 'rural_hills'] },
      ],
      40,
      1,
    );
    for (const s of sets) {
      expect(Number.isInteger(s['traffic.vehicles'])).toBe(true);
      expect(s['traffic.vehicles']).toBeGreaterThanOrEqual(2);
      expect(s['traffic.vehicles']).toBeLessThanOrEqual(9);
      expect(['urban_grid', 'rural_hills']).toContain(s.map);
    }
  });

  it('parameters apply to a scenario by dotted path and are validated', () => {
    const spec = withParams(scenarioPresets.highway_cruise, {
      'traffic.vehicles': 3,
      'weather.preset': 'HardRainNight',
      seed: 42,
    });
    expect(spec.traffic.vehicles).toBe(3);
    expect(spec.weather.preset).toBe('HardRainNight');
    expect(spec.seed).toBe(42);
    expect(scenarioPresets.highway_cruise.traffic.vehicles).toBe(19);
    expect(() => withParams(scenarioPresets.highway_cruise, { 'traffic.vehicles': -1 })).toThrow();
  });
});
