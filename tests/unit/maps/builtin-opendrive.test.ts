import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinMapIds } from '~/server/contracts/scenario';
import { getMap } from '~/server/maps';
import { builtinMapXodr, builtinToOpenDrive } from '~/server/maps/builtin-opendrive';
import { buildLaneGraph, lanePose, readOpenDrive, referenceAt } from '~/server/maps/opendrive';
import { writeOpenDrive } from '~/server/maps/opendrive/write';
import type { Polyline } from '~/server/maps/geometry';
import { sharedDir } from '../openscenario/helpers';

/**
 * The built-in maps as generated OpenDRIVE: the file is read back by the same reader as CARLA's
 * towns with nothing left out, every built-in lane lies on its OpenDRIVE lane, and every lane
 * connection survives into the lane graph. The writer is also checked on a real map: Town01
 * written and read again is the same network.
 */

/** Arc length of the point of `poly` nearest to (x, y), by brute force over all segments. */
function nearestS(poly: Polyline, x: number, y: number): number {
  let best = Infinity;
  let bs = 0;
  for (let k = 0; k < poly.segments; k++) {
    const ax = poly.xs[k]!;
    const ay = poly.ys[k]!;
    const bx = poly.xs[k + 1]!;
    const by = poly.ys[k + 1]!;
    const l2 = (bx - ax) ** 2 + (by - ay) ** 2;
    const u = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / l2));
    const d = Math.hypot(ax + u * (bx - ax) - x, ay + u * (by - ay) - y);
    if (d < best) {
      best = d;
      bs = poly.cum[k]! + u * Math.sqrt(l2);
    }
  }
  return bs;
}

describe('built-in maps as OpenDRIVE', () => {
  it.each(builtinMapIds.map((id) => [id]))('%s reads back whole, lanes in place and connected', (id) => {
    const map = getMap(id);
    const { lanes } = builtinToOpenDrive(map);
    const { network, issues, report } = readOpenDrive(builtinMapXodr(id));
    expect(issues).toEqual([]);
    expect(report).toEqual([]);
    expect(network.header.vendor).toBe('DriveLab');
    // One road per group of side-by-side lanes, one OpenDRIVE lane per built-in lane.
    expect(network.roads).toHaveLength(map.laneList.filter((l) => !l.left).length);
    const odrLanes = network.roads.reduce((a, r) => a + r.sections[0]!.right.length, 0);
    expect(odrLanes).toBe(map.laneList.length);
    if (id === 'urban_grid') expect(network.junctions).toHaveLength(map.junctions.length);

    let worst = 0;
    for (const l of map.laneList) {
      const w = lanes.get(l.id)!;
      const road = network.roadById.get(w.road)!;
      expect(road.sections[0]!.right[-w.lane - 1]!.speeds[0]!.max).toBeCloseTo(l.speedLimit, 9);
      const ref = map.lanes.get(road.name.split(' | ')[0]!)!.poly;
      for (let i = 0; i < l.poly.xs.length; i++) {
        const p = lanePose(road, w.lane, nearestS(ref, l.poly.xs[i]!, l.poly.ys[i]!))!;
        worst = Math.max(worst, Math.hypot(p.x - l.poly.xs[i]!, p.y - l.poly.ys[i]!));
        if (w.lane === -1) expect(p.z).toBeCloseTo(l.poly.zs[i]!, 6);
      }
    }
    // Neighbour lanes are offsets of the first lane's polyline: exact on straights, a few cm
    // on the ring's 400 m bends sampled every 10 m.
    expect(worst).toBeLessThan(0.15);

    const graph = buildLaneGraph(network);
    expect(graph.unresolved).toEqual([]);
    const node = (laneId: string) => {
      const w = lanes.get(laneId)!;
      return graph.nodes.find((n) => n.road.id === w.road && n.laneId === w.lane)!;
    };
    for (const l of map.laneList) for (const n of l.next) expect(node(l.id).next).toContain(node(n.id).index);
    // Every signal is in exactly one controller, and every junction with signals names its controllers.
    const signals = network.roads.flatMap((r) => r.signals);
    expect(signals.length).toBeGreaterThanOrEqual(new Set(map.laneList.map((l) => l.signalId).filter(Boolean)).size);
    const controlled = network.controllers.flatMap((c) => c.controls.map((x) => x.signalId));
    expect([...controlled].sort()).toEqual(signals.map((s) => s.id).sort());
  });

  it("writing is faithful: CARLA's Town01 written and read again is the same network", () => {
    const text = readFileSync(join(sharedDir, 'opendrive', 'Town01.xodr'), 'utf8');
    const a = readOpenDrive(text).network;
    const written = writeOpenDrive(a);
    const b = readOpenDrive(written);
    expect(b.issues).toEqual([]);
    // Everything the model holds survives (maps compare by their entries).
    expect(b.network.roads).toEqual(a.roads);
    expect(b.network.junctions).toEqual(a.junctions);
    expect(b.network.controllers).toEqual(a.controllers);
    expect(writeOpenDrive(b.network)).toBe(written);
    const p = new Float64Array(4);
    const q = new Float64Array(4);
    for (const r of a.roads) {
      referenceAt(r, r.length / 2, p);
      referenceAt(b.network.roadById.get(r.id)!, r.length / 2, q);
      expect([...q]).toEqual([...p]);
    }
  });
});
