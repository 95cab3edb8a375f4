import { bezier, offsetPoints, type Point3 } from './geometry';
import { MapBuilder, type RoadMap } from './road-network';

/**
 * rural_hills: a 6 km two-lane country road with winding curves, a 6 % climb, a crest and a long
 * 7 % descent (for brake fade), a village with an unsignalised crosswalk, and turning loops at
 * both ends so traffic keeps circulating.
 */

const STEP = 5;
const W = 3.5;
const LIMIT = 22.2;
/** Sections of the forward direction: name, length, grade. */
const SECTIONS = [
  { name: 'valley', length: 800, grade: 0 },
  { name: 'climb', length: 1600, grade: 0.06 },
  { name: 'crest', length: 600, grade: 0 },
  { name: 'descent', length: 2400, grade: -0.07 },
  { name: 'flats', length: 600, grade: 0 },
] as const;
const VILLAGE_CROSSWALK_S = 400;

function centreLine(): { pts: Point3[]; cuts: number[] } {
  const total = SECTIONS.reduce((a, s) => a + s.length, 0);
  const pts: Point3[] = [];
  const cuts: number[] = [0];
  let acc = 0;
  for (const s of SECTIONS) {
    acc += s.length;
    cuts.push(Math.round(acc / STEP));
  }
  const gradeAt = (s: number): number => {
    // Grades blend over 150 m so the vertical profile has no kinks.
    let start = 0;
    let prev = 0;
    for (const sec of SECTIONS) {
      const end = start + sec.length;
      if (s < end) {
        const u = Math.min(1, (s - start) / 150);
        return prev + (sec.grade - prev) * (0.5 - 0.5 * Math.cos(Math.PI * u));
      }
      prev = sec.grade;
      start = end;
    }
    return prev;
  };
  let x = 0;
  let y = 0;
  let z = 0;
  let h = 0;
  for (let s = 0; s <= total; s += STEP) {
    pts.push({ x, y, z });
    // Curvature: sweeping bends of 180..600 m radius, straight through the village.
    const k =
      s < 900
        ? 0
        : (1 / 260) * Math.sin((2 * Math.PI * (s - 900)) / 1300) + (1 / 700) * Math.sin((2 * Math.PI * s) / 2900);
    h += k * STEP;
    x += Math.cos(h) * STEP;
    y += Math.sin(h) * STEP;
    z += gradeAt(s) * STEP;
  }
  return { pts, cuts };
}

export function buildRuralHills(): RoadMap {
  const b = new MapBuilder();
  const { pts, cuts } = centreLine();
  const fwd = offsetPoints(pts, -W / 2);
  const rev = offsetPoints(pts, W / 2);
  const fwdId = (i: number) => `rural:${SECTIONS[i]!.name}`;
  const revId = (i: number) => `rural:rev:${SECTIONS[i]!.name}`;
  SECTIONS.forEach((_, i) => {
    const a = cuts[i]!;
    const c = cuts[i + 1]!;
    b.lane({ id: fwdId(i), points: fwd.slice(a, c + 1), speedLimit: i === 0 ? 13.9 : LIMIT });
    b.lane({ id: revId(i), points: rev.slice(a, c + 1).reverse(), speedLimit: i === 0 ? 13.9 : LIMIT });
    if (i > 0) {
      b.link(fwdId(i - 1), fwdId(i));
      b.link(revId(i), revId(i - 1));
    }
  });
  // Turning loops: a wide teardrop beyond each end, from the forward lane into the reverse one.
  const loop = (from: Point3, fromPrev: Point3, to: Point3, _outward: number): Point3[] => {
    const h = Math.atan2(from.y - fromPrev.y, from.x - fromPrev.x);
    const ux = Math.cos(h);
    const uy = Math.sin(h);
    // Right of travel, the side the loop bulges to before swinging back left.
    const rx = Math.sin(h);
    const ry = -Math.cos(h);
    const mid1: Point3 = { x: from.x + ux * 30 + rx * 18, y: from.y + uy * 30 + ry * 18, z: from.z };
    const tip: Point3 = { x: from.x + ux * 55 - rx * 2, y: from.y + uy * 55 - ry * 2, z: from.z };
    const mid2: Point3 = { x: to.x + ux * 30 - rx * 22, y: to.y + uy * 30 - ry * 22, z: to.z };
    return [
      ...bezier(from, { x: from.x + ux * 15, y: from.y + uy * 15, z: from.z }, mid1, 10),
      ...bezier(mid1, { x: mid1.x + ux * 20 + rx * 5, y: mid1.y + uy * 20 + ry * 5, z: from.z }, tip, 10).slice(1),
      ...bezier(tip, { x: tip.x - rx * 25 + ux * 5, y: tip.y - ry * 25 + uy * 5, z: from.z }, mid2, 10).slice(1),
      ...bezier(mid2, { x: to.x + ux * 12 - rx * 6, y: to.y + uy * 12 - ry * 6, z: to.z }, to, 10).slice(1),
    ];
  };
  const last = SECTIONS.length - 1;
  const endF = fwd[fwd.length - 1]!;
  const endR = rev[rev.length - 1]!;
  b.lane({ id: 'rural:loop-east', points: loop(endF, fwd[fwd.length - 2]!, endR, 1), speedLimit: 8, kind: 'junction' });
  b.link(fwdId(last), 'rural:loop-east');
  b.link('rural:loop-east', revId(last));
  // At the west end the reverse lane arrives heading "backwards" along the centre line.
  const startR = rev[0]!;
  const startF = fwd[0]!;
  b.lane({ id: 'rural:loop-west', points: loop(startR, rev[1]!, startF, 1), speedLimit: 8, kind: 'junction' });
  b.link(revId(0), 'rural:loop-west');
  b.link('rural:loop-west', fwdId(0));
  const c = pts[Math.round(VILLAGE_CROSSWALK_S / STEP)]!;
  b.crosswalks.push({
    id: 'rural:village-crosswalk',
    a: { x: c.x, y: c.y - 6, z: c.z },
    b: { x: c.x, y: c.y + 6, z: c.z },
    walkWhenRed: null,
    junctionId: null,
  });
  return b.build('rural_hills', { lat: 46.81, lon: 10.52, alt: 1180 }, { laneId: fwdId(0), s: 30 });
}
