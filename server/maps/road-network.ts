import { Polyline, segmentsCross, type Point3 } from './geometry';

/**
 * The built-in backend's road model: directed lanes (OpenDRIVE-like) joined into a graph.
 * A lane knows its neighbours for lane changes, its successors for routing, the signal at its
 * stop line (its end) and where crosswalks cross it; junction lanes know which others cross them.
 */

export type Turn = 'straight' | 'left' | 'right';

export interface Lane {
  id: string;
  poly: Polyline;
  length: number;
  width: number;
  /** m/s */
  speedLimit: number;
  kind: 'road' | 'junction' | 'ramp';
  next: Lane[];
  /** manoeuvre of each successor, same order as next */
  turns: Turn[];
  prev: Lane[];
  left: Lane | null;
  right: Lane | null;
  /** signal controlling the stop line at this lane's end */
  signalId: string | null;
  junctionId: string | null;
  /** junction lanes whose paths cross this one (only for junction lanes) */
  conflicts: Lane[];
  /** crossing junction lanes this one gives way to even on green (a permissive left turn) */
  yieldsTo?: Lane[];
  /** crosswalks crossing this lane, by arc length */
  crossings: { crosswalk: Crosswalk; s: number; /** where on the crosswalk, m from its end a */ u: number }[];
  /** highest comfortable speed at each vertex, from curvature (m/s) */
  curveSpeed: Float64Array;
}

export interface Signal {
  id: string;
  junctionId: string;
  /** Signal group: groups 0, 1, … of a junction are green in turn. */
  group: number;
}

export interface Junction {
  id: string;
  /** seconds added to the cycle clock, so neighbouring junctions form a green wave */
  offsetS: number;
  /** signal groups green in turn (2 when omitted: the built-in maps' two-phase plan) */
  groups?: number;
}

export interface Crosswalk {
  id: string;
  a: Point3;
  b: Point3;
  /** signal group whose red lets pedestrians walk; null = unsignalised (pedestrians judge gaps) */
  walkWhenRed: 0 | 1 | null;
  junctionId: string | null;
}

export interface RoadMap {
  id: string;
  origin: { lat: number; lon: number; alt: number };
  lanes: Map<string, Lane>;
  laneList: Lane[];
  signals: Map<string, Signal>;
  junctions: Junction[];
  crosswalks: Crosswalk[];
  egoSpawn: { laneId: string; s: number };
}

export interface LaneSpec {
  id: string;
  points: Point3[];
  width?: number;
  speedLimit: number;
  kind?: Lane['kind'];
  signalId?: string;
  junctionId?: string;
}

/** Lateral acceleration drivers accept in curves, m/s². */
const COMFORT_LAT_ACCEL = 2.5;

function curveSpeeds(poly: Polyline, limit: number): Float64Array {
  const n = poly.xs.length;
  const out = new Float64Array(n).fill(limit);
  for (let i = 1; i < n - 1; i++) {
    const h1 = Math.atan2(poly.ys[i]! - poly.ys[i - 1]!, poly.xs[i]! - poly.xs[i - 1]!);
    const h2 = Math.atan2(poly.ys[i + 1]! - poly.ys[i]!, poly.xs[i + 1]! - poly.xs[i]!);
    let dh = h2 - h1;
    while (dh > Math.PI) dh -= 2 * Math.PI;
    while (dh < -Math.PI) dh += 2 * Math.PI;
    const ds = (poly.cum[i + 1]! - poly.cum[i - 1]!) / 2;
    const k = ds > 0 ? Math.abs(dh) / ds : 0;
    if (k > 1e-6) out[i] = Math.min(limit, Math.sqrt(COMFORT_LAT_ACCEL / k));
  }
  return out;
}

/** Collects lanes and links, then resolves them into a RoadMap with derived data filled in. */
export class MapBuilder {
  private specs: LaneSpec[] = [];
  private links: { from: string; to: string; turn: Turn }[] = [];
  private neighbours: { left: string; right: string }[] = [];
  readonly signals = new Map<string, Signal>();
  readonly junctions: Junction[] = [];
  readonly crosswalks: Crosswalk[] = [];

  lane(spec: LaneSpec): string {
    this.specs.push(spec);
    return spec.id;
  }
  link(from: string, to: string, turn: Turn = 'straight'): void {
    this.links.push({ from, to, turn });
  }
  /** `left` is the lane to the left of `right`, same direction, comparable length. */
  pair(left: string, right: string): void {
    this.neighbours.push({ left, right });
  }

  build(id: string, origin: RoadMap['origin'], egoSpawn: RoadMap['egoSpawn']): RoadMap {
    const lanes = new Map<string, Lane>();
    for (const s of this.specs) {
      if (lanes.has(s.id)) throw new Error(`duplicate lane ${s.id}`);
      const poly = new Polyline(s.points);
      lanes.set(s.id, {
        id: s.id,
        poly,
        length: poly.length,
        width: s.width ?? 3.5,
        speedLimit: s.speedLimit,
        kind: s.kind ?? 'road',
        next: [],
        turns: [],
        prev: [],
        left: null,
        right: null,
        signalId: s.signalId ?? null,
        junctionId: s.junctionId ?? null,
        conflicts: [],
        crossings: [],
        curveSpeed: curveSpeeds(poly, s.speedLimit),
      });
    }
    const get = (lid: string): Lane => {
      const l = lanes.get(lid);
      if (!l) throw new Error(`unknown lane ${lid}`);
      return l;
    };
    for (const k of this.links) {
      const a = get(k.from);
      const b = get(k.to);
      a.next.push(b);
      a.turns.push(k.turn);
      b.prev.push(a);
    }
    for (const n of this.neighbours) {
      get(n.left).right = get(n.right);
      get(n.right).left = get(n.left);
    }
    const laneList = [...lanes.values()];
    for (const l of laneList) if (l.next.length === 0) throw new Error(`lane ${l.id} is a dead end`);
    // Junction lanes that cross (not merely share an end) must not both be occupied.
    const byJunction = new Map<string, Lane[]>();
    for (const l of laneList)
      if (l.junctionId) byJunction.set(l.junctionId, [...(byJunction.get(l.junctionId) ?? []), l]);
    for (const group of byJunction.values()) {
      for (const a of group) {
        for (const b of group) {
          if (a === b || a.prev[0] === b.prev[0] || a.next[0] === b.next[0]) continue;
          if (polylinesCross(a.poly, b.poly)) a.conflicts.push(b);
        }
      }
    }
    for (const cw of this.crosswalks) {
      for (const l of laneList) {
        const hit = crossingS(l.poly, cw.a, cw.b);
        if (hit) l.crossings.push({ crosswalk: cw, ...hit });
      }
    }
    for (const l of laneList) l.crossings.sort((p, q) => p.s - q.s);
    if (!lanes.has(egoSpawn.laneId)) throw new Error(`ego spawn lane ${egoSpawn.laneId} missing`);
    return {
      id,
      origin,
      lanes,
      laneList,
      signals: this.signals,
      junctions: this.junctions,
      crosswalks: this.crosswalks,
      egoSpawn,
    };
  }
}

function pt(p: Polyline, i: number): Point3 {
  return { x: p.xs[i]!, y: p.ys[i]!, z: p.zs[i]! };
}

function polylinesCross(a: Polyline, b: Polyline): boolean {
  for (let i = 0; i < a.segments; i++)
    for (let j = 0; j < b.segments; j++) if (segmentsCross(pt(a, i), pt(a, i + 1), pt(b, j), pt(b, j + 1))) return true;
  return false;
}

function crossingS(p: Polyline, a: Point3, b: Point3): { s: number; u: number } | null {
  for (let i = 0; i < p.segments; i++) {
    const p1 = pt(p, i);
    const p2 = pt(p, i + 1);
    if (!segmentsCross(p1, p2, a, b)) continue;
    const d = (p2.x - p1.x) * (b.y - a.y) - (p2.y - p1.y) * (b.x - a.x);
    const u = ((a.x - p1.x) * (b.y - a.y) - (a.y - p1.y) * (b.x - a.x)) / d;
    const s = p.cum[i]! + u * (p.cum[i + 1]! - p.cum[i]!);
    const x = p1.x + (p2.x - p1.x) * u;
    const y = p1.y + (p2.y - p1.y) * u;
    return { s, u: Math.hypot(x - a.x, y - a.y) };
  }
  return null;
}
