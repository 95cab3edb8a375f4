import { describe, expect, it } from 'vitest';
import { spawnVehicles } from '~/workers/sim/spawning';
import { spawnContext } from './engine-fixtures';

const city = { map: 'urban_grid', seed: 9, traffic: { vehicles: 30, pedestrians: 0 } } as const;

describe('spawning', () => {
  it('puts the ego at its spawn point and every NPC on a road lane, away from the lane ends', () => {
    const ctx = spawnContext(city);
    const vs = spawnVehicles(ctx);
    expect(vs).toHaveLength(31);
    expect(vs[0]).toMatchObject({ id: 'ego', index: 0, isEgo: true });
    expect(vs[0]!.lane.id).toBe(ctx.map.egoSpawn.laneId);
    for (const [i, v] of vs.slice(1).entries()) {
      expect(v).toMatchObject({ id: `npc-${i}`, index: i + 1, isEgo: false });
      expect(v.lane.kind).toBe('road');
      expect(v.s).toBeGreaterThanOrEqual(8);
      expect(v.s).toBeLessThanOrEqual(v.lane.length - 15);
      // Starts a little below what the driver wants there, with a plan of lanes ahead.
      expect(v.body.v).toBeLessThan(v.desiredSpeed);
      expect(v.plan.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('leaves room between vehicles placed on the same lane', () => {
    const vs = spawnVehicles(spawnContext(city));
    for (const a of vs)
      for (const b of vs) if (a !== b && a.lane === b.lane) expect(Math.abs(a.s - b.s)).toBeGreaterThan(5);
  });

  it('places the same vehicles for the same seed, other ones for another seed', () => {
    const where = (seed: number) =>
      spawnVehicles(spawnContext({ ...city, seed })).map((v) => `${v.params.length}@${v.lane.id}:${v.s.toFixed(3)}`);
    expect(where(9)).toEqual(where(9));
    expect(where(10)).not.toEqual(where(9));
  });

  it('hands each vehicle its own faults', () => {
    const ctx = spawnContext({
      ...city,
      faults: [{ type: 'brake_fade', vehicle: 'npc-2', startS: 1, rampS: 1, severity: 0.5 }],
    });
    const vs = spawnVehicles(ctx);
    expect(vs.find((v) => v.id === 'npc-2')!.faults).toHaveLength(1);
    expect(vs.filter((v) => v.faults.length > 0)).toHaveLength(1);
  });

  it('refuses an ego spawn lane that is not on the map', () => {
    const ctx = spawnContext({ ...city, ego: { spawn: { laneId: 'no-such-lane', s: 0 } } });
    expect(() => spawnVehicles(ctx)).toThrow(/ego spawn lane "no-such-lane" does not exist/);
  });
});
