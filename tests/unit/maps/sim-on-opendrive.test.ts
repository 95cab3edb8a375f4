import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roadMapFromOpenDrive } from '~/server/maps/from-opendrive';
import { LaneIndex, laneBounds, readOpenDrive } from '~/server/maps/opendrive';
import { createSimulation } from '~/workers/sim/simulation';
import { SignalController } from '~/workers/sim/traffic-lights';
import { sharedDir } from '../openscenario/helpers';

const town01 = readOpenDrive(readFileSync(join(sharedDir, 'opendrive', 'Town01.xodr'), 'utf8')).network;

describe('the simulator on an OpenDRIVE network (Town01)', () => {
  const adapted = roadMapFromOpenDrive(town01, 'Town01');
  const map = adapted.map;

  it('turns the file into lanes, links, neighbours and traffic lights', () => {
    expect(map.laneList.length).toBe(123); // Town01's driving lanes, one per lane section
    // Every lane leads somewhere, and junction lanes belong to the file's junctions.
    for (const l of map.laneList) expect(l.next.length).toBeGreaterThan(0);
    const junctionIds = new Set(town01.junctions.map((j) => j.id));
    for (const l of map.laneList) if (l.junctionId) expect(junctionIds.has(l.junctionId)).toBe(true);
    // Town01's two-lane roads: a lane has no same-direction neighbour (the other lane is
    // oncoming), so no lane-change pairing may pair opposite directions.
    for (const l of map.laneList) {
      if (!l.left) continue;
      const a = adapted.lanes.get(l.id)!;
      const b = adapted.lanes.get(l.left.id)!;
      expect(b.dir).toBe(a.dir);
      expect(b.roadId).toBe(a.roadId);
    }
    // Speed limits come from the file (Town01: 30 km/h on its roads... read per lane or road type).
    const limits = new Set(map.laneList.map((l) => Math.round(l.speedLimit * 3.6)));
    expect(limits.size).toBeGreaterThan(0);
    for (const k of limits) expect(k).toBeGreaterThan(5);
    // Traffic lights: every dynamic signal of Town01 governs a stop line at a signalled junction.
    expect(map.signals.size).toBe(town01.roads.reduce((a, r) => a + r.signals.filter((s) => s.dynamic).length, 0));
    const signalled = map.laneList.filter((l) => l.signalId);
    expect(signalled.length).toBeGreaterThanOrEqual(map.signals.size);
    for (const l of signalled)
      expect(l.next.every((n) => n.junctionId === map.signals.get(l.signalId!)!.junctionId)).toBe(true);
    expect(adapted.report).toEqual([]);
  });

  it('drives 40 vehicles for 10 minutes on the drivable lanes and stops them at red lights', () => {
    const sim = createSimulation(
      { map: 'urban_grid', durationS: 600, traffic: { vehicles: 40 }, seed: 7, timeFactor: 'max' },
      { orgId: 'org', runId: 'run', network: map, clock: () => 0 },
    );
    const index = new LaneIndex(town01, true);
    const lights = new SignalController(map);
    const laneOf = new Map<string, string>();
    let offLane = 0;
    let checked = 0;
    let crossings = 0;
    let crossedOnRed = 0;
    const stoppedAtRed = new Set<string>();
    const violations: unknown[] = [];
    let steps = 0;
    let lastT = 0;
    while (!sim.done) {
      const t = sim.t;
      const r = sim.step();
      for (const e of r.events) if (e.type === 'red_light_violation') violations.push(e);
      steps++;
      lastT = t;
      for (const v of sim.truth()) {
        const before = laneOf.get(v.id);
        laneOf.set(v.id, v.laneId);
        const lane = map.lanes.get(v.laneId)!;
        if (before && before !== v.laneId) {
          const prev = map.lanes.get(before)!;
          // Lane changes (to a neighbour) are not line crossings.
          if (prev.next.includes(lane) && prev.signalId) {
            crossings++;
            if (lights.state(prev.signalId, sim.t) === 'red' && lights.redFor(prev.signalId, sim.t) > 2) crossedOnRed++;
          }
        }
        if (lane.signalId && v.v < 0.3 && lane.length - v.s < 20 && lights.state(lane.signalId, sim.t) === 'red')
          stoppedAtRed.add(`${v.id}@${lane.signalId}@${Math.floor(sim.t / 90)}`);
        if (steps % 10 === 0) {
          checked++;
          // On the drivable lanes of the file: the point projects onto one, within its bounds.
          const q = index.project(v.x, v.y);
          const b = q && laneBounds(q.road, q.laneId, q.s);
          const half = b ? Math.abs(b.outer - b.inner) / 2 : 0;
          if (!q || Math.abs(q.offset) > half + 0.3) offLane++;
        }
      }
    }
    expect(lastT).toBeCloseTo(600 - 1 / 20, 6);
    expect(checked).toBeGreaterThan(40 * 1000);
    expect(offLane).toBe(0);
    expect(crossings).toBeGreaterThan(100);
    expect(crossedOnRed).toBe(0);
    expect(stoppedAtRed.size).toBeGreaterThan(20);
    // Red-light running is a rare driver choice at the very start of red, never the rule.
    expect(violations.length).toBeLessThan(crossings * 0.05);
    expect(sim.kpis().fleet.collisions).toBeLessThanOrEqual(3);
  });

  it('starts placed traffic where it is placed and drives the ego along its route to the destination', () => {
    const roads = map.laneList.filter((l) => !l.junctionId && l.length > 60);
    const placed = [roads[3]!, roads[9]!].map((l) => ({ laneId: l.id, s: 20 }));
    const start = roads[0]!;
    const run = (to?: { laneId: string; s: number }) =>
      createSimulation(
        {
          map: 'urban_grid',
          durationS: 240,
          ego: { spawn: { laneId: start.id, s: 5 }, targetSpeed: 10, route: to ? { to } : {} },
          traffic: { vehicles: 4, placed },
          seed: 3,
          timeFactor: 'max',
        },
        { orgId: 'org', runId: 'run', network: map, clock: () => 0 },
      );
    // Where the ego goes on its own (straight on at every junction)...
    const control = run();
    const visited = new Set<string>();
    while (!control.done) {
      control.step();
      visited.add(control.truth().find((v) => v.id === 'ego')!.laneId);
    }
    // ...and a destination it never reaches that way, a few junctions from the start.
    const hops = new Map<string, number>([[start.id, 0]]);
    const queue = [start];
    while (queue.length) {
      const l = queue.shift()!;
      for (const n of l.next)
        if (!hops.has(n.id)) {
          hops.set(n.id, hops.get(l.id)! + 1);
          queue.push(n);
        }
    }
    const far = roads
      .filter((l) => !visited.has(l.id) && (hops.get(l.id) ?? 0) >= 3)
      .sort((a, b) => hops.get(a.id)! - hops.get(b.id)!)[0]!;
    expect(far).toBeDefined();

    const sim = run({ laneId: far.id, s: 10 });
    const first = new Map(sim.truth().map((v) => [v.id, v]));
    expect(first.get('npc-0')!.laneId).toBe(placed[0]!.laneId);
    expect(first.get('npc-1')!.laneId).toBe(placed[1]!.laneId);
    expect(first.get('npc-0')!.s).toBeCloseTo(20, 0);
    let arrived = false;
    while (!sim.done && !arrived) {
      sim.step();
      arrived = sim.truth().find((v) => v.id === 'ego')!.laneId === far.id;
    }
    expect(arrived).toBe(true);
  });
});
