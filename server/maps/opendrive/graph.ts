import { DRIVABLE_LANE_TYPES, travelDirection } from './lanes';
import type { ContactPoint, OdrNetwork, OdrRoad } from './model';

/**
 * The lane graph: one node per drivable lane per lane section, an edge to each lane a vehicle
 * can drive into at the lane's far end (within the road, to a linked road, or through a
 * junction's connections and lane links), and lane-change edges to same-direction neighbours.
 * Directions follow the road's traffic rule: under right-hand traffic, right lanes (negative
 * ids) run towards increasing s.
 */

export interface LaneNode {
  index: number;
  road: OdrRoad;
  section: number;
  laneId: number;
  /** +1: travelled towards increasing s */
  dir: 1 | -1;
  sStart: number;
  sEnd: number;
  length: number;
  /** lanes entered at this lane's far end */
  next: number[];
  prev: number[];
  /** same-direction drivable neighbours a lane change reaches */
  changes: number[];
}

export interface LaneGraph {
  nodes: LaneNode[];
  /** node of (road, section, lane) */
  key: Map<string, number>;
  /** links in the file that point at lanes that do not exist or run the wrong way */
  unresolved: string[];
}

const keyOf = (road: string, section: number, lane: number) => `${road}\u0000${section}\u0000${lane}`;

export function buildLaneGraph(net: OdrNetwork): LaneGraph {
  const nodes: LaneNode[] = [];
  const key = new Map<string, number>();
  const unresolved: string[] = [];
  for (const road of net.roads) {
    road.sections.forEach((sec, si) => {
      for (const ln of [...sec.left, ...sec.right]) {
        if (!DRIVABLE_LANE_TYPES.has(ln.type)) continue;
        const node: LaneNode = {
          index: nodes.length,
          road,
          section: si,
          laneId: ln.id,
          dir: travelDirection(road, ln.id),
          sStart: sec.s,
          sEnd: sec.sEnd,
          length: Math.max(0, sec.sEnd - sec.s),
          next: [],
          prev: [],
          changes: [],
        };
        key.set(keyOf(road.id, si, ln.id), nodes.length);
        nodes.push(node);
      }
    });
  }
  const sectionAt = (road: OdrRoad, cp: ContactPoint) => (cp === 'start' ? 0 : road.sections.length - 1);
  const link = (from: LaneNode, road: OdrRoad, section: number, laneId: number | undefined, enterAt: ContactPoint) => {
    if (laneId === undefined || laneId === 0) return;
    const to = key.get(keyOf(road.id, section, laneId));
    if (to === undefined) return; // a sidewalk or shoulder continues into one: not a driving edge
    const target = nodes[to]!;
    // Entering at a road's start means driving towards increasing s.
    if ((enterAt === 'start') !== target.dir > 0) {
      if (unresolved.length < 100)
        unresolved.push(
          `road ${from.road.id} lane ${from.laneId} → road ${road.id} lane ${laneId}: opposite directions`,
        );
      return;
    }
    if (!from.next.includes(to)) {
      from.next.push(to);
      target.prev.push(from.index);
    }
  };
  for (const n of nodes) {
    const road = n.road;
    const sec = road.sections[n.section]!;
    const lane = [...sec.left, ...sec.right].find((l) => l.id === n.laneId)!;
    const atEnd = n.dir > 0;
    const linkedId = atEnd ? lane.successor : lane.predecessor;
    const inner = atEnd ? n.section + 1 : n.section - 1;
    if (inner >= 0 && inner < road.sections.length) {
      link(n, road, inner, linkedId, atEnd ? 'start' : 'end');
      continue;
    }
    const rl = atEnd ? road.successor : road.predecessor;
    if (!rl) continue;
    if (rl.elementType === 'road') {
      const other = net.roadById.get(rl.elementId);
      if (!other || other.sections.length === 0) continue;
      const cp = rl.contactPoint ?? 'start';
      link(n, other, sectionAt(other, cp), linkedId, cp);
    } else {
      const j = net.junctionById.get(rl.elementId);
      if (!j) continue;
      for (const c of j.connections) {
        if (c.incomingRoad !== road.id) continue;
        const conn = net.roadById.get(c.connectingRoad);
        if (!conn || conn.sections.length === 0) continue;
        for (const ll of c.laneLinks)
          if (ll.from === n.laneId) link(n, conn, sectionAt(conn, c.contactPoint), ll.to, c.contactPoint);
      }
    }
  }
  // Lane changes: neighbours on the same side of the same section (hence the same direction).
  for (const n of nodes) {
    for (const d of [-1, 1]) {
      const m = key.get(keyOf(n.road.id, n.section, n.laneId + d));
      if (m !== undefined && nodes[m]!.dir === n.dir && n.laneId + d !== 0) n.changes.push(m);
    }
  }
  return { nodes, key, unresolved };
}

export function laneNodeAt(graph: LaneGraph, road: OdrRoad, laneId: number, s: number): LaneNode | undefined {
  for (let si = road.sections.length - 1; si >= 0; si--) {
    if (road.sections[si]!.s <= s || si === 0) {
      const i = graph.key.get(keyOf(road.id, si, laneId));
      return i === undefined ? undefined : graph.nodes[i];
    }
  }
  return undefined;
}

export interface LanePositionRef {
  road: OdrRoad;
  laneId: number;
  s: number;
}

export interface Route {
  /** lanes in driving order, the first and last being those of the two positions */
  lanes: LaneNode[];
  /** metres driven along lanes, lane-change penalties excluded */
  length: number;
  laneChanges: number;
}

/** A lane change counts as this many metres, so routes prefer staying in lane. */
const LANE_CHANGE_COST_M = 30;

/** Distance from s to the lane node's far end, in its direction of travel. */
const remaining = (n: LaneNode, s: number) => (n.dir > 0 ? n.sEnd - s : s - n.sStart);

/**
 * The shortest drive between two lane positions (Dijkstra on lane-exit distances; the
 * destination is a virtual node entered part-way through its lane). Null when unreachable.
 */
export function shortestRoute(graph: LaneGraph, from: LanePositionRef, to: LanePositionRef): Route | null {
  const a = laneNodeAt(graph, from.road, from.laneId, from.s);
  const b = laneNodeAt(graph, to.road, to.laneId, to.s);
  if (!a || !b) return null;
  const N = graph.nodes.length;
  const SINK = N;
  const dist = new Float64Array(N + 1).fill(Infinity);
  const prev = new Int32Array(N + 1).fill(-1);
  const changed = new Uint8Array(N + 1);
  const heap = new MinHeap();
  const remB = remaining(b, to.s);
  const relax = (v: number, d: number, from: number, viaChange: boolean) => {
    if (d < dist[v]!) {
      dist[v] = d;
      prev[v] = from;
      changed[v] = viaChange ? 1 : 0;
      heap.push(v, d);
    }
  };
  // From the start: to its own far end, or straight to the destination when it lies ahead.
  relax(a.index, remaining(a, from.s), -2, false);
  if (a === b && remaining(a, from.s) >= remB) relax(SINK, remaining(a, from.s) - remB, a.index, false);
  while (heap.size) {
    const [u, d] = heap.pop();
    if (d > dist[u]!) continue;
    if (u === SINK) break;
    const n = graph.nodes[u]!;
    for (const v of n.next) {
      const m = graph.nodes[v]!;
      relax(v, d + m.length, u, false);
      if (v === b.index) relax(SINK, d + m.length - remB, v, false);
    }
    for (const v of n.changes) {
      relax(v, d + LANE_CHANGE_COST_M, u, true);
      if (v === b.index && d + LANE_CHANGE_COST_M - remB >= 0) relax(SINK, d + LANE_CHANGE_COST_M - remB, v, false);
    }
  }
  if (!Number.isFinite(dist[SINK]!)) return null;
  const lanes: LaneNode[] = [];
  let changes = 0;
  for (let v = prev[SINK]!; v >= 0; v = prev[v]!) {
    lanes.unshift(graph.nodes[v]!);
    if (changed[v]) changes++;
    if (prev[v] === -2) break;
  }
  // The lane itself is recorded once even when the route loops back into it.
  return { lanes, length: dist[SINK]! - changes * LANE_CHANGE_COST_M, laneChanges: changes };
}

class MinHeap {
  private ids: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.ids.length;
  }
  push(id: number, k: number): void {
    const ids = this.ids;
    const keys = this.keys;
    let i = ids.length;
    ids.push(id);
    keys.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= k) break;
      ids[i] = ids[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    ids[i] = id;
    keys[i] = k;
  }
  pop(): [number, number] {
    const ids = this.ids;
    const keys = this.keys;
    const top: [number, number] = [ids[0]!, keys[0]!];
    const lastId = ids.pop()!;
    const lastK = keys.pop()!;
    if (ids.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= ids.length) break;
        const r = l + 1;
        const c = r < ids.length && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= lastK) break;
        ids[i] = ids[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      ids[i] = lastId;
      keys[i] = lastK;
    }
    return top;
  }
}
