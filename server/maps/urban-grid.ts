import { bezier, line, type Point3 } from './geometry';
import { MapBuilder, type RoadMap, type Turn } from './road-network';

/**
 * urban_grid: 4×4 signalised intersections, 150 m blocks, two lanes each way at 50 km/h.
 * Right-hand traffic. Straight and right turns everywhere; left turns only where no oncoming
 * traffic shares the phase (T-junctions and corners), so two-phase signals keep the box clear.
 */

const N = 4;
const SPACING = 150;
const LANES = 2;
const W = 3.5;
/** From the node centre to the stop line: the box plus a crosswalk. */
const J = 14;
const LIMIT = 13.9;

type Dir = 'E' | 'W' | 'N' | 'S';
const VEC: Record<Dir, [number, number]> = { E: [1, 0], W: [-1, 0], N: [0, 1], S: [0, -1] };
const RIGHT_OF: Record<Dir, Dir> = { E: 'S', S: 'W', W: 'N', N: 'E' };
const LEFT_OF: Record<Dir, Dir> = { E: 'N', N: 'W', W: 'S', S: 'E' };

const node = (i: number, j: number): Point3 => ({ x: i * SPACING, y: j * SPACING, z: 0 });
const inGrid = (i: number, j: number) => i >= 0 && j >= 0 && i < N && j < N;

/** Street lane leaving node (i,j) towards dir, lane k (0 = leftmost). */
const streetId = (i: number, j: number, d: Dir, k: number) => `urban:${d}:${i}.${j}:${k}`;

/** Point at distance `along` from a node towards dir, shifted to lane k's centre (right of travel). */
function lanePoint(i: number, j: number, d: Dir, along: number, k: number): Point3 {
  const [dx, dy] = VEC[d];
  const off = (k + 0.5) * W;
  const c = node(i, j);
  // right of travel is (dy, -dx)
  return { x: c.x + dx * along + dy * off, y: c.y + dy * along - dx * off, z: 0 };
}

export function buildUrbanGrid(): RoadMap {
  const b = new MapBuilder();
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const jid = `urban:j${i}.${j}`;
      // Offsets along the diagonal make a green wave for traffic heading north-east.
      b.junctions.push({ id: jid, offsetS: ((i + j) * 11) % 60 });
      for (const d of ['E', 'W', 'N', 'S'] as Dir[]) {
        const [dx, dy] = VEC[d];
        if (!inGrid(i + dx, j + dy)) continue;
        // Approach lanes arriving at the next node carry that node's signal at their end.
        const sig = `urban:sig${i + dx}.${j + dy}:${d}`;
        b.signals.set(sig, {
          id: sig,
          junctionId: `urban:j${i + dx}.${j + dy}`,
          group: d === 'E' || d === 'W' ? 0 : 1,
        });
        for (let k = 0; k < LANES; k++) {
          b.lane({
            id: streetId(i, j, d, k),
            points: line(lanePoint(i, j, d, J, k), lanePoint(i, j, d, SPACING - J, k), 50),
            speedLimit: LIMIT,
            signalId: sig,
          });
        }
        for (let k = 0; k + 1 < LANES; k++) b.pair(streetId(i, j, d, k), streetId(i, j, d, k + 1));
      }
      // Crosswalks over every arm, between the stop line and the box.
      for (const d of ['E', 'W', 'N', 'S'] as Dir[]) {
        const [dx, dy] = VEC[d];
        if (!inGrid(i + dx, j + dy)) continue;
        const c = node(i, j);
        const at = J - 2;
        const half = LANES * W + 1;
        b.crosswalks.push({
          id: `urban:cw${i}.${j}:${d}`,
          a: { x: c.x + dx * at + dy * half, y: c.y + dy * at - dx * half, z: 0 },
          b: { x: c.x + dx * at - dy * half, y: c.y + dy * at + dx * half, z: 0 },
          // Crossing an east-west arm means crossing east-west traffic: walk while group 0 is red.
          walkWhenRed: d === 'E' || d === 'W' ? 0 : 1,
          junctionId: jid,
        });
      }
    }
  }
  // Junction movements.
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const jid = `urban:j${i}.${j}`;
      for (const d of ['E', 'W', 'N', 'S'] as Dir[]) {
        const [dx, dy] = VEC[d];
        // Approach travelling d arrives from the node behind.
        const fi = i - dx;
        const fj = j - dy;
        if (!inGrid(fi, fj)) continue;
        const exits = (e: Dir) => inGrid(i + VEC[e][0], j + VEC[e][1]);
        const moves: { turn: Turn; exit: Dir; lanes: number[] }[] = [];
        const all = [...Array(LANES).keys()];
        if (exits(d)) {
          moves.push({ turn: 'straight', exit: d, lanes: all });
          if (exits(RIGHT_OF[d])) moves.push({ turn: 'right', exit: RIGHT_OF[d], lanes: [LANES - 1] });
        } else {
          const r = exits(RIGHT_OF[d]);
          const l = exits(LEFT_OF[d]);
          if (r) moves.push({ turn: 'right', exit: RIGHT_OF[d], lanes: l ? [LANES - 1] : all });
          if (l) moves.push({ turn: 'left', exit: LEFT_OF[d], lanes: r ? [0] : all });
        }
        for (const m of moves) {
          for (const k of m.lanes) {
            const from = streetId(fi, fj, d, k);
            const to = streetId(i, j, m.exit, k);
            const a = lanePoint(fi, fj, d, SPACING - J, k);
            const e = lanePoint(i, j, m.exit, J, k);
            // Control point: where the two lane centre lines meet.
            const ctrl: Point3 =
              m.turn === 'straight' ? { x: (a.x + e.x) / 2, y: (a.y + e.y) / 2, z: 0 } : cornerOf(a, d, e, m.exit);
            const id = `${jid}:${d}${m.exit}:${k}`;
            b.lane({
              id,
              points: m.turn === 'straight' ? line(a, e, 7) : bezier(a, ctrl, e, 14),
              speedLimit: LIMIT,
              kind: 'junction',
              junctionId: jid,
            });
            b.link(from, id, m.turn);
            b.link(id, to);
          }
        }
      }
    }
  }
  return b.build('urban_grid', { lat: 48.137, lon: 11.575, alt: 519 }, { laneId: streetId(0, 1, 'E', 1), s: 20 });
}

function cornerOf(a: Point3, da: Dir, e: Point3, _de: Dir): Point3 {
  // a runs along da, e along the perpendicular exit: the corner is where their lines meet.
  return VEC[da][0] !== 0 ? { x: e.x, y: a.y, z: 0 } : { x: a.x, y: e.y, z: 0 };
}
