import type { BuiltinMapId } from '../contracts/scenario';
import { getMap } from './index';

export interface MapOutline {
  id: string;
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  lanes: { id: string; kind: string; width: number; points: [number, number][] }[];
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
  const outline = { id, bounds: { minX, minY, maxX, maxY }, lanes };
  cache.set(key, outline);
  return outline;
}
