import { describe, expect, it } from 'vitest';
import { decideAccel } from '~/workers/sim/longitudinal';
import { TrafficView } from '~/workers/sim/traffic-view';
import { SignalController } from '~/workers/sim/traffic-lights';
import { egoOnRing } from './engine-fixtures';

describe('longitudinal control', () => {
  it('accelerates towards the target speed on an open road, with no lead', () => {
    const { ctx, ego, vehicles } = egoOnRing(30);
    const view = new TrafficView(ctx.map, vehicles, []);
    view.rebuild();
    ego.body.v = 10;
    const a = decideAccel(ego, 0, view, new SignalController(ctx.map));
    expect(a).toBeGreaterThan(0.5);
    expect(ego.lead).toBeNull();
  });

  it('brakes hard for a vehicle standing close ahead, which becomes the lead', () => {
    const { ctx, ego, vehicles, place } = egoOnRing(30);
    ego.body.v = 25;
    const stopped = place(ego.lane, ego.s + 30, 0);
    const view = new TrafficView(ctx.map, vehicles, []);
    view.rebuild();
    const a = decideAccel(ego, 0, view, new SignalController(ctx.map));
    expect(a).toBeLessThan(-4);
    expect(ego.lead).toMatchObject({ id: stopped.id, speed: 0 });
    // Bumper to bumper: centre distance less half of each length.
    expect(ego.lead!.gap).toBeCloseTo(30 - (ego.params.length + stopped.params.length) / 2, 6);
    expect(ego.lead!.ttc).toBeCloseTo(ego.lead!.gap / 25, 6);
  });

  it('follows a lead at its own speed and a safe gap without braking', () => {
    const { ctx, ego, vehicles, place } = egoOnRing(30);
    ego.body.v = 20;
    place(ego.lane, ego.s + 80, 20);
    const view = new TrafficView(ctx.map, vehicles, []);
    view.rebuild();
    const a = decideAccel(ego, 0, view, new SignalController(ctx.map));
    expect(a).toBeGreaterThan(-1);
    expect(ego.lead?.ttc).toBeNull();
  });
});
