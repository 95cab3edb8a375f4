import { describe, expect, it } from 'vitest';
import type { SimEvent } from '~/server/contracts/events';
import { emptyTally } from '~/workers/sim/kpis';
import {
  boxesOverlap,
  detect,
  HARD_BRAKE_DECEL,
  NEAR_MISS_TTC,
  pointInBox,
  type DetectionWorld,
  type EventSink,
} from '~/workers/sim/detection';
import { egoOnRing } from './engine-fixtures';

function setup() {
  const ring = egoOnRing();
  const world: DetectionWorld = {
    vehicles: ring.vehicles,
    pedestrians: [],
    contacts: new Set(),
    tally: emptyTally(100),
    fleet: { collisions: 0, nearMisses: 0, hardBrakes: 0 },
  };
  const events: { vehicleId: string | null; type: SimEvent['type']; data: unknown }[] = [];
  const ev: EventSink = (_t, vehicleId, type, data) => events.push({ vehicleId, type, data });
  return { ...ring, world, events, ev };
}

describe('collision and infraction detection', () => {
  it('reports a vehicle collision once per contact, to both vehicles, and stops them', () => {
    const { ego, place, world, events, ev } = setup();
    ego.body.v = 10;
    const other = place(ego.lane, ego.s + 2, 3);
    expect(boxesOverlap(ego, other)).toBe(true);
    detect(1, world, ev);
    const hits = events.filter((e) => e.type === 'collision');
    expect(hits.map((e) => e.vehicleId).sort()).toEqual(['ego', other.id].sort());
    expect(world.fleet.collisions).toBe(1);
    expect(world.tally.collisionsVehicle).toBe(1);
    expect(ego.body.v).toBe(0);
    expect(ego.stoppedUntil).toBe(6);
    detect(1.05, world, ev);
    expect(events.filter((e) => e.type === 'collision')).toHaveLength(2);
  });

  it('does not report vehicles that are apart', () => {
    const { ego, place, world, events, ev } = setup();
    const other = place(ego.lane, ego.s + 30, 3);
    expect(boxesOverlap(ego, other)).toBe(false);
    detect(1, world, ev);
    expect(events.filter((e) => e.type === 'collision')).toHaveLength(0);
  });

  it('latches hard brakes and near misses: one event per episode', () => {
    const { ego, world, events, ev } = setup();
    ego.body.accel = -HARD_BRAKE_DECEL - 1;
    ego.lead = { id: 'npc-x', gap: 5, ttc: NEAR_MISS_TTC / 2, speed: 0 };
    detect(1, world, ev);
    detect(1.05, world, ev);
    expect(events.map((e) => e.type).sort()).toEqual(['hard_brake', 'near_miss']);
    expect(world.tally).toMatchObject({ hardBrake: 1, nearMiss: 1, minTtc: NEAR_MISS_TTC / 2 });
    // The episode ends (braking eases, the gap opens), and a new one is reported again.
    ego.body.accel = 0;
    ego.lead = null;
    detect(2, world, ev);
    ego.body.accel = -HARD_BRAKE_DECEL - 1;
    detect(3, world, ev);
    expect(events.filter((e) => e.type === 'hard_brake')).toHaveLength(2);
  });

  it('reports a lane invasion when the body crosses a marking', () => {
    const { ego, world, events, ev } = setup();
    ego.d = ego.lane.width / 2;
    detect(1, world, ev);
    expect(events).toEqual([expect.objectContaining({ vehicleId: 'ego', type: 'lane_invasion' })]);
    expect(world.tally.laneInvasion).toBe(1);
  });

  it('pointInBox honours the margin', () => {
    const { ego } = setup();
    const ahead = ego.params.length / 2 + 0.2;
    const x = ego.body.x + Math.cos(ego.body.yaw) * ahead;
    const y = ego.body.y + Math.sin(ego.body.yaw) * ahead;
    expect(pointInBox(ego, x, y, 0)).toBe(false);
    expect(pointInBox(ego, x, y, 0.3)).toBe(true);
  });
});
