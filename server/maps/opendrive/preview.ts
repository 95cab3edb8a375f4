import { DRIVABLE_LANE_TYPES, laneBounds } from './lanes';
import { pose2, referenceAt } from './geometry';
import type { OdrNetwork } from './model';

/**
 * A bird's-eye SVG of a road network for map lists and upload previews: each lane a filled
 * polygon (drivable lanes dark, sidewalks light, the rest mid-grey), north up. Coordinates are
 * rounded to decimetres and lanes sampled every few metres, so CARLA's Town01 draws in a few
 * hundred kilobytes.
 */

const FILL: Record<string, string> = {
  sidewalk: '#c9c9c9',
  walking: '#c9c9c9',
  shoulder: '#9a9a9a',
  border: '#9a9a9a',
};
const DRIVABLE = '#4a4a4a';
const OTHER = '#7d7d7d';

export function networkPreviewSvg(net: OdrNetwork, widthPx = 800): string {
  const p = pose2();
  const polys: { fill: string; pts: [number, number][] }[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const road of net.roads) {
    road.sections.forEach((sec) => {
      const len = sec.sEnd - sec.s;
      if (len <= 0) return;
      const n = Math.max(1, Math.min(200, Math.ceil(len / 3)));
      for (const lane of [...sec.left, ...sec.right]) {
        const inner: [number, number][] = [];
        const outer: [number, number][] = [];
        for (let i = 0; i <= n; i++) {
          const s = Math.min(sec.s + (len * i) / n, sec.sEnd - 1e-9);
          const b = laneBounds(road, lane.id, s);
          if (!b) continue;
          referenceAt(road, s, p);
          const sn = Math.sin(p[2]!);
          const cs = Math.cos(p[2]!);
          inner.push([p[0]! - b.inner * sn, p[1]! + b.inner * cs]);
          outer.push([p[0]! - b.outer * sn, p[1]! + b.outer * cs]);
        }
        const pts = [...inner, ...outer.reverse()];
        if (pts.length < 3) continue;
        for (const [x, y] of pts) {
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
        polys.push({ fill: DRIVABLE_LANE_TYPES.has(lane.type) ? DRIVABLE : (FILL[lane.type] ?? OTHER), pts });
      }
    });
  }
  if (polys.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${widthPx / 2}"/>`;
  const pad = 5;
  const w = maxX - minX + 2 * pad;
  const h = maxY - minY + 2 * pad;
  const r = (v: number) => Math.round(v * 10) / 10;
  // SVG's y grows downwards: flip so that north (OpenDRIVE +y) is up.
  const byFill = new Map<string, string[]>();
  for (const poly of polys) {
    const d = `M${poly.pts.map(([x, y]) => `${r(x - minX + pad)} ${r(maxY + pad - y)}`).join('L')}Z`;
    byFill.set(poly.fill, [...(byFill.get(poly.fill) ?? []), d]);
  }
  const paths = [...byFill.entries()]
    .sort(([a], [b]) => (a === DRIVABLE ? 1 : 0) - (b === DRIVABLE ? 1 : 0) || a.localeCompare(b))
    .map(([fill, ds]) => `<path fill="${fill}" d="${ds.join('')}"/>`)
    .join('');
  const heightPx = Math.max(1, Math.round((widthPx * h) / w));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${r(w)} ${r(h)}"><rect width="100%" height="100%" fill="#eef1ec"/>${paths}</svg>`;
}
