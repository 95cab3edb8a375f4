import type { BuiltinMapId } from '../contracts/scenario';
import { getMap } from './index';
import { DRIVABLE_LANE_TYPES, laneBounds, referenceAt, pose2, type OdrNetwork } from './opendrive';

/**
 * What the bird's-eye view draws. Built-in maps: lane centre lines with their widths. OpenDRIVE
 * maps: every lane's surface as a polygon (drivable, sidewalk, other) and the road marks of the
 * file along lane borders, solid or broken, in their colour.
 */
export interface MapOutline {
  id: string;
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  lanes: { id: string; kind: string; width: number; points: [number, number][] }[];
  areas: { kind: 'drivable' | 'sidewalk' | 'other'; points: [number, number][] }[];
  marks: { style: 'solid' | 'broken'; color: string; points: [number, number][] }[];
}

const cache = new Map<string, MapOutline>();

/**
 * The road network as 2-D lane centre lines for drawing (bird's-eye view), thinned to points at
 * least `stepM` apart: a few hundred lanes draw in one SVG path each without losing shape.
 */
export function mapOutline(id: BuiltinMapId, stepM = 4): MapOutline {
  const key = `${id}:${stepM}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const map = getMap(id);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const lanes = map.laneList.map((lane) => {
    const { xs, ys, cum } = lane.poly;
    const points: [number, number][] = [];
    let lastS = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      if (i === 0 || i === xs.length - 1 || cum[i]! - lastS >= stepM) {
        const x = Math.round(xs[i]! * 10) / 10;
        const y = Math.round(ys[i]! * 10) / 10;
        points.push([x, y]);
        lastS = cum[i]!;
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
        maxY = Math.max(maxY, y);
      }
    }
    return { id: lane.id, kind: lane.kind, width: lane.width, points };
  });
  const outline = { id, bounds: { minX, minY, maxX, maxY }, lanes, areas: [], marks: [] };
  cache.set(key, outline);
  return outline;
}

const SIDEWALK_TYPES: ReadonlySet<string> = new Set(['sidewalk', 'walking']);
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Lane surfaces and road marks of an OpenDRIVE network, sampled about every `stepM` metres. */
export function networkOutline(net: OdrNetwork, id: string, stepM = 2): MapOutline {
  const p = pose2();
  const areas: MapOutline['areas'] = [];
  const marks: MapOutline['marks'] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const at = (s: number, t: number): [number, number] => {
    const sn = Math.sin(p[2]!);
    const cs = Math.cos(p[2]!);
    const x = r1(p[0]! - t * sn);
    const y = r1(p[1]! + t * cs);
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
    return [x, y];
  };
  for (const road of net.roads) {
    for (const sec of road.sections) {
      const len = sec.sEnd - sec.s;
      if (len <= 0) continue;
      const n = Math.max(1, Math.min(400, Math.ceil(len / stepM)));
      const lanes = [...(sec.center ? [sec.center] : []), ...sec.left, ...sec.right];
      const inner = new Map<number, [number, number][]>();
      const outer = new Map<number, [number, number][]>();
      for (const l of lanes) {
        inner.set(l.id, []);
        outer.set(l.id, []);
      }
      for (let i = 0; i <= n; i++) {
        const s = Math.min(sec.s + (len * i) / n, sec.sEnd - 1e-9);
        referenceAt(road, s, p);
        for (const l of lanes) {
          const b = laneBounds(road, l.id, s);
          if (!b) continue;
          inner.get(l.id)!.push(at(s, b.inner));
          outer.get(l.id)!.push(at(s, b.outer));
        }
      }
      for (const l of lanes) {
        const o = outer.get(l.id)!;
        if (l.id !== 0) {
          const pts = [...inner.get(l.id)!, ...[...o].reverse()];
          if (pts.length >= 3)
            areas.push({
              kind: DRIVABLE_LANE_TYPES.has(l.type) ? 'drivable' : SIDEWALK_TYPES.has(l.type) ? 'sidewalk' : 'other',
              points: pts,
            });
        }
        // A lane's road mark runs along its outer border (the centre lane's along the reference).
        const mark = l.roadMarks.find((m) => m.type !== 'none');
        if (!mark || o.length < 2) continue;
        marks.push({
          style: mark.type.includes('broken') ? 'broken' : 'solid',
          color: mark.color === 'yellow' ? 'yellow' : 'white',
          points: o,
        });
      }
    }
  }
  return { id, bounds: { minX, minY, maxX, maxY }, lanes: [], areas, marks };
}
