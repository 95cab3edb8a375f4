import type { Point3 } from './geometry';
import {
  buildLaneGraph,
  lanePose,
  laneSpeedLimit,
  travelDirection,
  laneWidth,
  type LaneNode,
  type OdrNetwork,
  type OdrRoad,
  type OdrSignal,
} from './opendrive';
import { sectionIndexAt } from './opendrive/lanes';
import { MapBuilder, type RoadMap, type Turn } from './road-network';

/**
 * Any OpenDRIVE network as the simulator's road model: one directed lane per drivable lane of
 * each lane section (the lane graph's nodes), its centre line sampled in the direction of
 * travel, successors through sections, linked roads and junctions (lane links), same-direction
 * neighbours for MOBIL, the lane's speed record (else the road type's) as its limit, and
 * traffic lights from the file's dynamic signals: the stop line is the end of each approach
 * lane the signal faces, and a junction's controllers, in sequence order, are its signal groups,
 * green in turn. Junctions without signals are left to priority (the sim's junction yielding).
 */

export interface OpenDriveRoadMap {
  map: RoadMap;
  /** where each simulator lane lies in the file */
  lanes: Map<string, LaneRef>;
  /** what could not be turned into simulator lanes or signals */
  report: string[];
}

export interface LaneRef {
  roadId: string;
  laneId: number;
  section: number;
  /** +1: driven towards increasing s */
  dir: 1 | -1;
  sStart: number;
  sEnd: number;
}

/** Speed when neither the lane nor the road type gives one (50 km/h, an urban default). */
const DEFAULT_LIMIT = 50 / 3.6;
/** Centre-line sample spacing; a 10 m radius arc then deviates < 1.3 cm from its chords. */
const SAMPLE_M = 1;
/** Heading change through a junction that counts as a turn rather than straight on. */
const TURN_RAD = Math.PI / 6;
/** Lanes narrower than this in the middle (tapers) are not lane-change targets. */
const MIN_CHANGE_WIDTH = 2.4;

export const simLaneId = (roadId: string, section: number, laneId: number): string => `${roadId}:${section}:${laneId}`;

function centreLine(n: LaneNode): Point3[] {
  const len = n.sEnd - n.sStart;
  const steps = Math.max(1, Math.ceil(len / SAMPLE_M));
  const pts: Point3[] = [];
  // Stay a hair inside the section so each pose reads this section's lanes.
  const eps = Math.min(1e-6, len / 4);
  for (let i = 0; i <= steps; i++) {
    const f = i / steps;
    const u = n.dir > 0 ? f : 1 - f;
    const s = Math.min(n.sEnd - eps, Math.max(n.sStart + eps, n.sStart + u * len));
    const p = lanePose(n.road, n.laneId, s);
    if (!p) continue;
    const last = pts[pts.length - 1];
    if (last && Math.hypot(p.x - last.x, p.y - last.y) < 1e-4) continue;
    pts.push({ x: p.x, y: p.y, z: p.z });
  }
  return pts;
}

function headingChange(pts: Point3[]): number {
  const n = pts.length;
  const h0 = Math.atan2(pts[1]!.y - pts[0]!.y, pts[1]!.x - pts[0]!.x);
  const h1 = Math.atan2(pts[n - 1]!.y - pts[n - 2]!.y, pts[n - 1]!.x - pts[n - 2]!.x);
  let d = h1 - h0;
  d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
  return d;
}

function originOf(net: OdrNetwork): RoadMap['origin'] {
  const geo = net.header.geoReference ?? '';
  const num = (k: string) => {
    const m = new RegExp(`\\+${k}=(-?[0-9.]+)`).exec(geo);
    const v = m ? Number(m[1]) : 0;
    return Number.isFinite(v) ? v : 0;
  };
  return { lat: num('lat_0'), lon: num('lon_0'), alt: 0 };
}

/** The approach lanes a signal's stop line applies to, and the junction they enter. */
function signalApproach(
  net: OdrNetwork,
  road: OdrRoad,
  sig: OdrSignal,
): { junctionId: string; dir: 1 | -1; section: number; lanes: (id: number) => boolean } | null {
  // The stop line is at the road end nearer the signal where the road enters a junction.
  const nearEnd = sig.s > road.length / 2;
  const junctionAt = (end: boolean) => {
    const link = end ? road.successor : road.predecessor;
    return link?.elementType === 'junction' && net.junctionById.has(link.elementId) ? link.elementId : null;
  };
  const atEnd = junctionAt(nearEnd) ? nearEnd : !nearEnd;
  const junctionId = junctionAt(atEnd);
  if (!junctionId) return null;
  const ranges = sig.validLanes.filter((v) => v.fromLane !== 0 || v.toLane !== 0);
  return {
    junctionId,
    dir: atEnd ? 1 : -1,
    section: atEnd ? road.sections.length - 1 : 0,
    lanes: (id) =>
      ranges.length === 0 ||
      ranges.some((r) => id >= Math.min(r.fromLane, r.toLane) && id <= Math.max(r.fromLane, r.toLane)),
  };
}

export function roadMapFromOpenDrive(net: OdrNetwork, id: string): OpenDriveRoadMap {
  const report: string[] = [];
  const graph = buildLaneGraph(net);
  // Lanes that lead nowhere (map edges, lanes ending in a taper) are dropped, repeatedly, so
  // every remaining lane has a way on.
  const alive = new Uint8Array(graph.nodes.length).fill(1);
  const pts = graph.nodes.map((n) => (n.length > 1e-3 ? centreLine(n) : []));
  graph.nodes.forEach((n, i) => {
    if (pts[i]!.length < 2) alive[i] = 0;
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const n of graph.nodes) {
      if (alive[n.index] && !n.next.some((m) => alive[m])) {
        alive[n.index] = 0;
        changed = true;
      }
    }
  }
  const dropped = graph.nodes.length - alive.reduce((a, b) => a + b, 0);
  if (dropped) report.push(`${dropped} lane section(s) lead nowhere or have no length; vehicles do not use them.`);

  const b = new MapBuilder();
  const lanes = new Map<string, LaneRef>();
  const nameOf = (n: LaneNode) => simLaneId(n.road.id, n.section, n.laneId);
  const widthOf = (n: LaneNode) => laneWidth(n.road, n.laneId, (n.sStart + n.sEnd) / 2);
  for (const n of graph.nodes) {
    if (!alive[n.index]) continue;
    const mid = (n.sStart + n.sEnd) / 2;
    const lid = b.lane({
      id: nameOf(n),
      points: pts[n.index]!,
      width: Math.max(2, widthOf(n)),
      speedLimit: laneSpeedLimit(n.road, n.laneId, mid) ?? DEFAULT_LIMIT,
      kind: n.road.junction ? 'junction' : 'road',
      ...(n.road.junction ? { junctionId: n.road.junction } : {}),
    });
    lanes.set(lid, {
      roadId: n.road.id,
      laneId: n.laneId,
      section: n.section,
      dir: n.dir,
      sStart: n.sStart,
      sEnd: n.sEnd,
    });
  }
  for (const n of graph.nodes) {
    if (!alive[n.index]) continue;
    for (const m of n.next) {
      if (!alive[m]) continue;
      const to = graph.nodes[m]!;
      let turn: Turn = 'straight';
      if (n.next.length > 1) {
        const dh = headingChange(pts[m]!);
        turn = dh > TURN_RAD ? 'left' : dh < -TURN_RAD ? 'right' : 'straight';
      }
      b.link(nameOf(n), nameOf(to), turn);
    }
    // The neighbour to the left of the direction of travel: larger t going +s, smaller going −s.
    const leftId = n.laneId + n.dir;
    const left = n.changes.map((c) => graph.nodes[c]!).find((c) => c.laneId === leftId);
    if (left && alive[left.index] && widthOf(left) >= MIN_CHANGE_WIDTH && widthOf(n) >= MIN_CHANGE_WIDTH)
      b.pair(nameOf(left), nameOf(n));
  }

  // Traffic lights: junction → its signal groups, in controller sequence order.
  const controllerOf = new Map<string, { id: string; sequence: number }>();
  for (const j of net.junctions)
    j.controllers.forEach((c, i) => {
      const ctrl = net.controllers.find((x) => x.id === c.id);
      for (const ctl of ctrl?.controls ?? [])
        controllerOf.set(ctl.signalId, { id: c.id, sequence: c.sequence ?? ctrl?.sequence ?? i });
    });
  for (const c of net.controllers)
    for (const ctl of c.controls)
      if (!controllerOf.has(ctl.signalId)) controllerOf.set(ctl.signalId, { id: c.id, sequence: c.sequence ?? 0 });
  const groupsAt = new Map<string, string[]>();
  const signalLanes: { signalId: string; junctionId: string; groupKey: string; lanes: string[] }[] = [];
  const addSignal = (signalId: string, junctionId: string, hit: string[], ownGroup: string) => {
    const ctrl = controllerOf.get(signalId);
    // Signals with no controller are each their own group; a controller's signals share one.
    const groupKey = ctrl ? `c${String(ctrl.sequence).padStart(6, '0')}:${ctrl.id}` : ownGroup;
    const keys = groupsAt.get(junctionId) ?? [];
    if (!keys.includes(groupKey)) keys.push(groupKey);
    groupsAt.set(junctionId, keys);
    signalLanes.push({ signalId, junctionId, groupKey, lanes: hit });
  };
  for (const road of net.roads) {
    for (const sig of road.signals) {
      if (!sig.dynamic) continue;
      if (road.junction) {
        // A light on a connecting road stands where the junction meets the road linked at that
        // end; it governs that road's lanes that drive into the junction.
        const link = sig.s < road.length / 2 ? road.predecessor : road.successor;
        const hit = new Set<string>();
        const jid = road.junction;
        for (const n of graph.nodes) {
          if (link?.elementType !== 'road' || n.road.id !== link.elementId || !alive[n.index]) continue;
          if ((n.dir > 0 ? 'end' : 'start') !== (link.contactPoint ?? 'start')) continue;
          if (n.next.some((m) => graph.nodes[m]!.road.junction === jid)) hit.add(nameOf(n));
        }
        if (hit.size) addSignal(sig.id, road.junction, [...hit], `s:${road.id}`);
        continue;
      }
      const app = signalApproach(net, road, sig);
      if (!app) {
        report.push(`Signal ${sig.id} on road ${road.id} is not at a junction entry; it is not simulated.`);
        continue;
      }
      const sec = road.sections[app.section];
      const hit: string[] = [];
      for (const ln of sec ? [...sec.left, ...sec.right] : []) {
        const lid = simLaneId(road.id, app.section, ln.id);
        const ref = lanes.get(lid);
        if (ref && ref.dir === app.dir && app.lanes(ln.id)) hit.push(lid);
      }
      if (hit.length) addSignal(sig.id, app.junctionId, hit, `s:${road.id}:${app.dir}`);
    }
  }
  const junctionIds = [...groupsAt.keys()].sort();
  junctionIds.forEach((jid, i) => {
    const keys = groupsAt.get(jid)!.sort();
    // A junction with a single group still cycles (green, then red for the unsignalled flows).
    b.junctions.push({ id: jid, offsetS: (i * 11) % 60, groups: Math.max(2, keys.length) });
  });
  const laneSignal = new Map<string, string>();
  for (const s of signalLanes) {
    const group = groupsAt.get(s.junctionId)!.indexOf(s.groupKey);
    b.signals.set(s.signalId, { id: s.signalId, junctionId: s.junctionId, group });
    for (const l of s.lanes) if (!laneSignal.has(l)) laneSignal.set(l, s.signalId);
  }

  // The ego starts on the longest ordinary lane unless the scenario says otherwise.
  let spawn: string | null = null;
  let best = -1;
  for (const [lid, ref] of lanes) {
    const len = ref.sEnd - ref.sStart;
    if (!net.roadById.get(ref.roadId)!.junction && len > best) {
      best = len;
      spawn = lid;
    }
  }
  if (!spawn) spawn = lanes.keys().next().value ?? null;
  if (!spawn) throw new Error('The road network has no drivable lane that leads anywhere');
  const map = b.build(id, originOf(net), { laneId: spawn, s: 5 });
  for (const [lid, sid] of laneSignal) map.lanes.get(lid)!.signalId = sid;
  // Turning left across oncoming traffic gives way to it, even on green.
  const turnOf = (l: RoadMap['laneList'][number]) => {
    const p = l.poly;
    const n = p.xs.length;
    const dh = headingChange([
      { x: p.xs[0]!, y: p.ys[0]!, z: 0 },
      { x: p.xs[1]!, y: p.ys[1]!, z: 0 },
      { x: p.xs[n - 2]!, y: p.ys[n - 2]!, z: 0 },
      { x: p.xs[n - 1]!, y: p.ys[n - 1]!, z: 0 },
    ]);
    return dh > TURN_RAD ? 'left' : dh < -TURN_RAD ? 'right' : 'straight';
  };
  for (const l of map.laneList) {
    if (!l.junctionId || l.conflicts.length === 0 || turnOf(l) !== 'left') continue;
    l.yieldsTo = l.conflicts.filter((c) => turnOf(c) !== 'left');
  }
  return { map, lanes, report };
}

/** The simulator lane and arc length of an OpenDRIVE lane position, or null off the lane graph. */
export function simLanePosition(
  net: OdrNetwork,
  pos: { roadId: string; laneId: number; s: number },
): { laneId: string; s: number } | null {
  const road = net.roadById.get(pos.roadId);
  if (!road || road.sections.length === 0) return null;
  const si = sectionIndexAt(road, pos.s);
  const sec = road.sections[si]!;
  const dir = travelDirection(road, pos.laneId);
  const s = dir > 0 ? pos.s - sec.s : sec.sEnd - pos.s;
  return { laneId: simLaneId(road.id, si, pos.laneId), s: Math.max(0, s) };
}

/** The OpenDRIVE lane position of a simulator lane ("road:section:lane") and arc length along it. */
export function odrLanePosition(
  net: OdrNetwork,
  simLane: string,
  s: number,
): { roadId: string; laneId: number; s: number } | null {
  const m = /^(.+):(\d+):(-?\d+)$/.exec(simLane);
  if (!m) return null;
  const road = net.roadById.get(m[1]!);
  const sec = road?.sections[Number(m[2])];
  const laneId = Number(m[3]);
  if (!road || !sec || laneId === 0) return null;
  const along = Math.min(Math.max(0, s), sec.sEnd - sec.s);
  return { roadId: road.id, laneId, s: travelDirection(road, laneId) > 0 ? sec.s + along : sec.sEnd - along };
}

/** An OpenDRIVE lane position with its offset from the lane centre (t direction, left +). */
export interface OdrLanePlace {
  roadId: string;
  laneId: number;
  s: number;
  offset: number;
}

/**
 * The OpenDRIVE lane position of a world point known to lie on lane `laneId` of `road` between
 * sMin and sMax. A lane's own length differs from its reference line's on curves, so s is
 * searched (scan, then golden section) rather than scaled; the offset takes up what is left.
 */
export function lanePlaceAt(
  road: OdrRoad,
  laneId: number,
  sMin: number,
  sMax: number,
  x: number,
  y: number,
): OdrLanePlace | null {
  const dist = (s: number) => {
    const p = lanePose(road, laneId, s);
    return p ? Math.hypot(p.x - x, p.y - y) : Infinity;
  };
  const eps = Math.min(1e-6, (sMax - sMin) / 4);
  const lo0 = sMin + eps;
  const hi0 = sMax - eps;
  const step = 0.5;
  let best = lo0;
  let bestD = dist(lo0);
  for (let s = lo0 + step; s < hi0 + step; s += step) {
    const c = Math.min(s, hi0);
    const d = dist(c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  let a = Math.max(lo0, best - step);
  let b = Math.min(hi0, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 40; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (dist(c) < dist(d)) b = d;
    else a = c;
  }
  const s = (a + b) / 2;
  const p = lanePose(road, laneId, s);
  if (!p) return null;
  const offset = (x - p.x) * -Math.sin(p.heading) + (y - p.y) * Math.cos(p.heading);
  return { roadId: road.id, laneId, s, offset };
}

/** Where a simulator lane position ("road:section:lane", arc length) lies in the file. */
export function odrPlaceOfSimLane(net: OdrNetwork, map: RoadMap, simLane: string, s: number): OdrLanePlace | null {
  const lane = map.lanes.get(simLane);
  const m = /^(.+):(\d+):(-?\d+)$/.exec(simLane);
  const road = m ? net.roadById.get(m[1]!) : undefined;
  const sec = road?.sections[Number(m?.[2])];
  if (!lane || !road || !sec) return null;
  const p = lane.poly.sample(Math.min(Math.max(0, s), lane.length));
  return lanePlaceAt(road, Number(m![3]), sec.s, sec.sEnd, p.x, p.y);
}
