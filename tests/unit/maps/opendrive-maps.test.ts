import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DRIVABLE_LANE_TYPES,
  LaneIndex,
  buildLaneGraph,
  lanePose,
  readOpenDrive,
  referenceAt,
  shortestRoute,
  type OdrNetwork,
} from '~/server/maps/opendrive';
import { sharedDir } from '../openscenario/helpers';

/**
 * Every shared OpenDRIVE map (CARLA's Town01 and esmini's maps, read in place) through the
 * reader, the projection index and the lane graph. Counts are checked against a separate tally
 * of the file's elements by regular expressions, so a reader that drops or invents a road,
 * junction or lane fails here.
 */

const SHARED = sharedDir;
const files = [
  join(SHARED, 'opendrive', 'Town01.xodr'),
  ...readdirSync(join(SHARED, 'openscenario', 'esmini', 'xodr'))
    .filter((f) => f.endsWith('.xodr'))
    .map((f) => join(SHARED, 'openscenario', 'esmini', 'xodr', f)),
];

/** Element counts by regex, independent of the XML parser (comments stripped first). */
function tally(text: string) {
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  const count = (re: RegExp) => (body.match(re) ?? []).length;
  return {
    roads: count(/<road[\s>]/g),
    junctions: count(/<junction[\s>]/g),
    // <lane …> but not <laneSection>, <laneOffset>, <laneLink>
    lanes: count(/<lane[\s>/]/g),
    sections: count(/<laneSection[\s>]/g),
    signals: count(/<signal[\s>]/g),
    controllers: count(/<controller[\s>]/g),
  };
}

const loaded = files.map((f) => {
  const text = readFileSync(f, 'utf8');
  return { name: f.split('/').pop()!, text, ...readOpenDrive(text) };
});

function counts(net: OdrNetwork) {
  let lanes = 0;
  let sections = 0;
  let signals = 0;
  for (const r of net.roads) {
    signals += r.signals.filter((s) => !s.reference).length;
    for (const s of r.sections) {
      sections++;
      lanes += s.left.length + s.right.length + (s.center ? 1 : 0);
    }
  }
  // Junction-level <controller> references are counted by the regex too.
  const controllers = net.controllers.length + net.junctions.reduce((a, j) => a + j.controllers.length, 0);
  return { roads: net.roads.length, junctions: net.junctions.length, lanes, sections, signals, controllers };
}

describe('shared OpenDRIVE maps', () => {
  it('finds all the maps', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
  });

  it.each(loaded.map((l) => [l.name, l] as const))('%s loads cleanly with every element counted', (_n, l) => {
    expect(l.issues).toEqual([]);
    expect(counts(l.network)).toEqual(tally(l.text));
    expect(l.network.roads.length).toBeGreaterThan(0);
    for (const r of l.network.roads) expect(r.geometries.length).toBeGreaterThan(0);
  });

  it("Town01 is CARLA's town: 12 junctions, 36 signals, right-hand traffic, its geoReference", () => {
    const t = loaded.find((l) => l.name === 'Town01.xodr')!;
    expect(t.network.junctions).toHaveLength(12);
    expect(t.network.roads.reduce((a, r) => a + r.signals.filter((s) => !s.reference).length, 0)).toBe(36);
    expect(t.network.header.revMajor).toBe(1);
    expect(t.network.header.revMinor).toBe(4);
    expect(t.network.header.geoReference).toMatch(/^\+proj=tmerc/);
    expect(t.network.roads.every((r) => r.rule === 'RHT')).toBe(true);
    // 25 mph on the town roads, in m/s.
    expect(t.network.roads[0]!.types[0]!.speedMax).toBeCloseTo(11.176, 3);
    // What the reader leaves out is reported, e.g. RoadRunner's userData and the road objects.
    expect(t.report.some((r) => r.startsWith('OpenDRIVE/road/objects'))).toBe(true);
  });

  it('geometries join up: each starts where the previous one ends, with the same heading', () => {
    const p = new Float64Array(4);
    for (const l of loaded) {
      for (const r of l.network.roads) {
        for (let i = 1; i < r.geometries.length; i++) {
          const g = r.geometries[i]!;
          referenceAt(r, g.s - 1e-9, p);
          const gap = Math.hypot(p[0]! - g.x, p[1]! - g.y);
          let dh = p[2]! - g.hdg;
          dh -= 2 * Math.PI * Math.round(dh / (2 * Math.PI));
          expect(gap, `${l.name} road ${r.id} geometry ${i} position`).toBeLessThan(0.01);
          expect(Math.abs(dh), `${l.name} road ${r.id} geometry ${i} heading`).toBeLessThan(0.002);
        }
      }
    }
  });

  it.each(loaded.map((l) => [l.name, l] as const))(
    '%s: world → lane → world within 1 cm at 1 m steps on every driving lane',
    (_n, l) => {
      const index = new LaneIndex(l.network);
      let checked = 0;
      let worst = 0;
      for (const road of l.network.roads)
        for (const sec of road.sections)
          for (const lane of [...sec.left, ...sec.right]) {
            if (!DRIVABLE_LANE_TYPES.has(lane.type)) continue;
            for (let s = sec.s; s < sec.sEnd; s += 1) {
              for (const offset of [0, 0.8]) {
                const p = lanePose(road, lane.id, s, offset);
                expect(p).not.toBeNull();
                const q = index.project(p!.x, p!.y);
                expect(q, `${road.id}/${lane.id}@${s}`).not.toBeNull();
                const back = lanePose(q!.road, q!.laneId, q!.s, q!.offset)!;
                worst = Math.max(worst, Math.hypot(back.x - p!.x, back.y - p!.y));
                checked++;
              }
            }
          }
      expect(checked).toBeGreaterThan(100);
      expect(worst).toBeLessThan(0.01);
    },
  );

  it('projects points off the network to nothing', () => {
    const l = loaded.find((x) => x.name === 'straight_500m.xodr')!;
    const index = new LaneIndex(l.network);
    const p = lanePose(l.network.roads[0]!, -1, 100, 0)!;
    expect(index.project(p.x, p.y)?.laneId).toBe(-1);
    // 200 m sideways of a 500 m straight road.
    expect(index.project(p.x - 200 * Math.sin(p.heading), p.y + 200 * Math.cos(p.heading))).toBeNull();
    expect(index.project(1e7, 1e7)).toBeNull();
  });
});

describe('lane graph and routes', () => {
  const byName = (n: string) => loaded.find((l) => l.name === n)!.network;

  it('routes along a straight road in each lane direction, and not backwards', () => {
    const net = byName('straight_500m.xodr');
    const g = buildLaneGraph(net);
    const road = net.roads[0]!;
    const fwd = shortestRoute(g, { road, laneId: -1, s: 10 }, { road, laneId: -1, s: 400 });
    expect(fwd?.length).toBeCloseTo(390, 6);
    const back = shortestRoute(g, { road, laneId: 1, s: 400 }, { road, laneId: 1, s: 10 });
    expect(back?.length).toBeCloseTo(390, 6);
    expect(shortestRoute(g, { road, laneId: -1, s: 400 }, { road, laneId: -1, s: 10 })).toBeNull();
  });

  it('routes around a closed loop when the destination is behind', () => {
    const net = byName('circle_300m.xodr');
    const road = net.roads[0]!;
    const g = buildLaneGraph(net);
    const right = road.sections[0]!.right.find((l) => DRIVABLE_LANE_TYPES.has(l.type))!;
    const r = shortestRoute(g, { road, laneId: right.id, s: 100 }, { road, laneId: right.id, s: 50 });
    expect(r?.length).toBeCloseTo(road.length - 50, 6);
  });

  it('Town01: every driving lane reaches every other through the junctions, by linked lanes', () => {
    const net = byName('Town01.xodr');
    const g = buildLaneGraph(net);
    expect(g.unresolved).toEqual([]);
    const ordinary = g.nodes.filter((n) => !n.road.junction);
    expect(ordinary.length).toBe(52);
    // Reachability from one lane covers all ordinary lanes (Town01 is strongly connected).
    const seen = new Set([ordinary[0]!.index]);
    const queue = [ordinary[0]!.index];
    while (queue.length)
      for (const v of g.nodes[queue.pop()!]!.next)
        if (!seen.has(v)) {
          seen.add(v);
          queue.push(v);
        }
    for (const n of ordinary) expect(seen.has(n.index), `road ${n.road.id} lane ${n.laneId}`).toBe(true);
    // A route between two far-apart lanes: consecutive lanes are linked and end where the next begins.
    const a = ordinary[0]!;
    const b = ordinary[ordinary.length - 1]!;
    const mid = (n: typeof a) => (n.sStart + n.sEnd) / 2;
    const route = shortestRoute(
      g,
      { road: a.road, laneId: a.laneId, s: mid(a) },
      { road: b.road, laneId: b.laneId, s: mid(b) },
    )!;
    expect(route).not.toBeNull();
    expect(route.lanes[0]).toBe(a);
    expect(route.lanes[route.lanes.length - 1]).toBe(b);
    for (let i = 1; i < route.lanes.length; i++) {
      const p = route.lanes[i - 1]!;
      const n = route.lanes[i]!;
      expect(p.next.includes(n.index) || p.changes.includes(n.index)).toBe(true);
      if (p.next.includes(n.index)) {
        const end = lanePose(p.road, p.laneId, p.dir > 0 ? p.sEnd : p.sStart)!;
        const start = lanePose(n.road, n.laneId, n.dir > 0 ? n.sStart : n.sEnd)!;
        expect(Math.hypot(end.x - start.x, end.y - start.y)).toBeLessThan(0.05);
      }
    }
    expect(route.length).toBeGreaterThan(0);
  });
});
