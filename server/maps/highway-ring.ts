import { bezier, line, offsetPoints, type Point3 } from './geometry';
import { MapBuilder, type RoadMap } from './road-network';

/**
 * highway_ring: a 3-lane one-way stadium ring (two 1.2 km straights, 400 m radius bends) at
 * 120 km/h with gentle grades, and two interchanges whose off-ramp leaves the right lane and
 * whose on-ramp merges back into it 700 m later.
 */

const STRAIGHT = 1200;
const RADIUS = 400;
const LANES = 3;
const W = 3.75;
const LIMIT = 33.3;
const RAMP_LIMIT = 22;
const STEP = 10;

/** Centre line of the carriageway's left edge, counter-clockwise, sampled every STEP metres. */
function ringEdge(): Point3[] {
  const pts: Point3[] = [];
  const half = STRAIGHT / 2;
  const bend = Math.PI * RADIUS;
  const total = 2 * STRAIGHT + 2 * bend;
  const zAt = (s: number) => 6 * Math.sin((2 * Math.PI * s) / total) + 2 * Math.sin((6 * Math.PI * s) / total);
  for (let s = 0; s < total; s += STEP) {
    let x: number;
    let y: number;
    if (s < STRAIGHT) {
      x = -half + s;
      y = -RADIUS;
    } else if (s < STRAIGHT + bend) {
      const a = -Math.PI / 2 + (s - STRAIGHT) / RADIUS;
      x = half + RADIUS * Math.cos(a);
      y = RADIUS * Math.sin(a);
    } else if (s < 2 * STRAIGHT + bend) {
      x = half - (s - STRAIGHT - bend);
      y = RADIUS;
    } else {
      const a = Math.PI / 2 + (s - 2 * STRAIGHT - bend) / RADIUS;
      x = -half + RADIUS * Math.cos(a);
      y = RADIUS * Math.sin(a);
    }
    pts.push({ x, y, z: zAt(s) });
  }
  return pts;
}

export function buildHighwayRing(): RoadMap {
  const b = new MapBuilder();
  const edge = ringEdge();
  const n = edge.length;
  // Interchanges on both straights: [offIndex, onIndex] in edge samples.
  const interchanges = [
    [20, 90],
    [Math.round((STRAIGHT + Math.PI * RADIUS) / STEP) + 20, Math.round((STRAIGHT + Math.PI * RADIUS) / STEP) + 90],
  ] as const;
  const cuts = interchanges.flatMap(([a, c]) => [a, c]);
  const laneAt = (k: number) => offsetPoints(edge, -(k + 0.5) * W);
  const laneLines = [...Array(LANES).keys()].map(laneAt);
  const sectionId = (sec: number, k: number) => `highway:ring${sec}:${k}`;
  for (let sec = 0; sec < cuts.length; sec++) {
    const from = cuts[sec]!;
    const to = cuts[(sec + 1) % cuts.length]!;
    for (let k = 0; k < LANES; k++) {
      const src = laneLines[k]!;
      const pts: Point3[] = [];
      for (let i = from; ; i = (i + 1) % n) {
        pts.push(src[i]!);
        if (i === to) break;
      }
      b.lane({ id: sectionId(sec, k), points: pts, speedLimit: LIMIT, width: W });
    }
    for (let k = 0; k + 1 < LANES; k++) b.pair(sectionId(sec, k), sectionId(sec, k + 1));
    for (let k = 0; k < LANES; k++) b.link(sectionId(sec, k), sectionId((sec + 1) % cuts.length, k), 'straight');
  }
  interchanges.forEach(([off, on], x) => {
    const right = laneLines[LANES - 1]!;
    const outer = offsetPoints(edge, -(LANES + 8) * W);
    const a = right[off]!;
    const d = right[on]!;
    const p1 = outer[off + 15]!;
    const p2 = outer[on - 15]!;
    const pts = [
      // Control points on the lanes' own lines: the ramp leaves and joins tangentially, so a
      // merging car does not swing across into the next lane.
      ...bezier(a, right[off + 8]!, p1, 16),
      ...line(p1, p2, STEP).slice(1),
      ...bezier(p2, right[on - 8]!, d, 16).slice(1),
    ];
    const id = `highway:ramp${x}`;
    b.lane({ id, points: pts, speedLimit: RAMP_LIMIT, kind: 'ramp', width: W });
    const offSec = cuts.indexOf(off);
    const onSec = cuts.indexOf(on);
    // The section ending at the diverge is the one before offSec.
    const before = (offSec - 1 + cuts.length) % cuts.length;
    b.link(sectionId(before, LANES - 1), id, 'right');
    b.link(id, sectionId(onSec, LANES - 1), 'straight');
  });
  return b.build('highway_ring', { lat: 52.52, lon: 13.405, alt: 34 }, { laneId: sectionId(0, 1), s: 40 });
}
