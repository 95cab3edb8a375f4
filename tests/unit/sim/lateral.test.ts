import { describe, expect, it } from 'vitest';
import { considerLaneChange, steer } from '~/workers/sim/lateral';
import { TrafficView } from '~/workers/sim/traffic-view';
import { egoOnRing } from './engine-fixtures';

describe('lateral control', () => {
  it('steers towards the wander offset: left of the lane steers left, right steers right', () => {
    const { ego } = egoOnRing();
    ego.body.v = 20;
    ego.wander = 0;
    const centre = steer(ego);
    ego.wander = 1.5;
    const left = steer(ego);
    ego.wander = -1.5;
    const right = steer(ego);
    expect(left).toBeGreaterThan(centre);
    expect(right).toBeLessThan(centre);
    for (const s of [centre, left, right]) expect(Math.abs(s)).toBeLessThanOrEqual(1);
  });

  it('changes to a free neighbour lane when a slow vehicle blocks its own (MOBIL)', () => {
    const { ctx, ego, vehicles, place } = egoOnRing(30);
    const own = ego.lane;
    expect(own.left ?? own.right).not.toBeNull();
    ego.s = 100;
    ego.body.v = 25;
    place(own, ego.s + 25, 2);
    const view = new TrafficView(ctx.map, vehicles, []);
    view.rebuild();
    considerLaneChange(ego, 10, view, []);
    expect(ego.lane).not.toBe(own);
    expect([own.left, own.right]).toContain(ego.lane);
    // No second change for 6 s, and the new lane has a plan ahead.
    expect(ego.laneChangeAllowedAt).toBe(16);
    expect(ego.plan.length).toBeGreaterThanOrEqual(2);
  });

  it('stays in its lane while lane changes are not yet allowed', () => {
    const { ctx, ego, vehicles, place } = egoOnRing(30);
    const own = ego.lane;
    ego.s = 100;
    ego.body.v = 25;
    place(own, ego.s + 25, 2);
    const view = new TrafficView(ctx.map, vehicles, []);
    view.rebuild();
    considerLaneChange(ego, ego.laneChangeAllowedAt - 0.5, view, []);
    expect(ego.lane).toBe(own);
  });
});
