import { pose2, referenceAt } from './geometry';
import { DRIVABLE_LANE_TYPES, laneAtTInto, laneBounds, lanesOf, sectionIndexAt } from './lanes';
import type { OdrNetwork, OdrRoad } from './model';

/**
 * World → lane projection through a uniform grid. Each road's reference line is cut into short
 * pieces, each approximated by a circular arc that matches the true curve's pose at both ends
 * (exact for lines and arcs; for spirals and cubics the pieces are short enough that the error
 * stays well under a millimetre across the road's width). A piece is filed in every grid cell
 * its cross-section may reach, so a query reads one cell and tests a handful of pieces, in flat
 * typed arrays: no allocation per query besides the answer.
 */

export interface LaneProjection {
  road: OdrRoad;
  laneId: number;
  s: number;
  /** lateral position from the reference line (left positive) */
  t: number;
  /** lateral position from the lane's centre, in t's direction */
  offset: number;
}

const CELL_M = 4;
/** Pieces of lines and arcs (exact); curves whose curvature varies use shorter ones. */
const PIECE_EXACT_M = 4;
const PIECE_VARYING_M = 0.5;
/** Projections this far outside a piece's ends still count (the neighbour piece takes over). */
const END_TOL_M = 1e-6;
const LATERAL_MARGIN_M = 0.5;

// Piece fields, strided in one Float64Array.
const F = 9;
const X0 = 0;
const Y0 = 1;
const C0 = 2; // cos heading
const S0 = 3; // sin heading
const K = 4; // curvature
const LEN = 5;
const SS = 6; // road s at the piece's start
const TMAX = 7; // the largest |t| any lane reaches on the piece, plus a margin
/** how far beyond [0, len] `along` may fall for a point within TMAX of a curved piece */
const SLACK = 8;

export class LaneIndex {
  private readonly pieces: Float64Array;
  private readonly pieceRoad: Int32Array;
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;
  private readonly minX: number;
  private readonly minY: number;
  private readonly nx: number;
  private readonly ny: number;
  readonly roads: OdrRoad[];
  /** lane types a projection may return; others (sidewalks, shoulders…) only when asked */
  constructor(
    readonly network: OdrNetwork,
    private readonly drivableOnly = false,
  ) {
    this.roads = network.roads;
    const pcs: number[] = [];
    const owner: number[] = [];
    const p = pose2();
    const q = pose2();
    this.roads.forEach((road, ri) => {
      if (road.geometries.length === 0 || road.length <= 0) return;
      // Cut points: every geometry start, then at most PIECE_* apart within each.
      const cuts: number[] = [];
      road.geometries.forEach((g, gi) => {
        const end = gi + 1 < road.geometries.length ? road.geometries[gi + 1]!.s : road.length;
        const len = Math.min(end, road.length) - g.s;
        if (len <= 0) return;
        const step = g.kind === 'line' || g.kind === 'arc' ? PIECE_EXACT_M : PIECE_VARYING_M;
        const n = Math.max(1, Math.ceil(len / step));
        for (let i = 0; i < n; i++) cuts.push(g.s + (len * i) / n);
      });
      cuts.push(road.length);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const sa = cuts[i]!;
        const sb = cuts[i + 1]!;
        const len = sb - sa;
        if (len <= 1e-9) continue;
        referenceAt(road, sa, p);
        referenceAt(road, sb - 1e-12, q);
        let dh = q[2]! - p[2]!;
        dh -= 2 * Math.PI * Math.round(dh / (2 * Math.PI));
        const tmax = Math.max(maxAbsT(road, sa), maxAbsT(road, (sa + sb) / 2), maxAbsT(road, sb - 1e-9));
        const reach = tmax + LATERAL_MARGIN_M;
        pcs.push(p[0]!, p[1]!, Math.cos(p[2]!), Math.sin(p[2]!), dh / len, len, sa, reach, Math.abs(dh) * reach + 1e-3);
        owner.push(ri);
      }
    });
    this.pieces = Float64Array.from(pcs);
    this.pieceRoad = Int32Array.from(owner);
    const count = owner.length;

    // Bounding boxes of pieces with their cross-section, then a counting sort into cells.
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const boxes = new Float64Array(count * 4);
    for (let i = 0; i < count; i++) {
      const o = i * F;
      const len = this.pieces[o + LEN]!;
      // The piece's cross-section: its two end normals, each reaching TMAX either side, plus
      // the arc's bulge; an axis-aligned box of that is tight for roads along the axes.
      const P = this.pieces;
      const x0 = P[o + X0]!;
      const y0 = P[o + Y0]!;
      const c = P[o + C0]!;
      const sn = P[o + S0]!;
      const k = P[o + K]!;
      const reach = P[o + TMAX]!;
      const th = k * len;
      const ex = Math.abs(k) < 1e-9 ? len : Math.sin(th) / k;
      const ey = Math.abs(k) < 1e-9 ? 0 : (1 - Math.cos(th)) / k;
      const x1 = x0 + ex * c - ey * sn;
      const y1 = y0 + ex * sn + ey * c;
      const h1 = Math.atan2(sn, c) + th;
      const pad = Math.abs(k) * len * len * 0.125 + Math.abs(k) * len * reach + 0.05;
      const xs = [x0 - reach * sn, x0 + reach * sn, x1 - reach * Math.sin(h1), x1 + reach * Math.sin(h1)];
      const ys = [y0 + reach * c, y0 - reach * c, y1 + reach * Math.cos(h1), y1 - reach * Math.cos(h1)];
      const bx0 = Math.min(...xs) - pad;
      const by0 = Math.min(...ys) - pad;
      const bx1 = Math.max(...xs) + pad;
      const by1 = Math.max(...ys) + pad;
      boxes[i * 4] = bx0;
      boxes[i * 4 + 1] = by0;
      boxes[i * 4 + 2] = bx1;
      boxes[i * 4 + 3] = by1;
      minX = Math.min(minX, bx0);
      minY = Math.min(minY, by0);
      maxX = Math.max(maxX, bx1);
      maxY = Math.max(maxY, by1);
    }
    if (count === 0) minX = minY = maxX = maxY = 0;
    this.minX = minX;
    this.minY = minY;
    this.nx = Math.max(1, Math.ceil((maxX - minX) / CELL_M));
    this.ny = Math.max(1, Math.ceil((maxY - minY) / CELL_M));
    const cells = this.nx * this.ny;
    const counts = new Int32Array(cells + 1);
    const span = (i: number, f: (cell: number) => void) => {
      const x0 = Math.max(0, Math.floor((boxes[i * 4]! - minX) / CELL_M));
      const y0 = Math.max(0, Math.floor((boxes[i * 4 + 1]! - minY) / CELL_M));
      const x1 = Math.min(this.nx - 1, Math.floor((boxes[i * 4 + 2]! - minX) / CELL_M));
      const y1 = Math.min(this.ny - 1, Math.floor((boxes[i * 4 + 3]! - minY) / CELL_M));
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) f(y * this.nx + x);
    };
    for (let i = 0; i < count; i++) span(i, (c) => counts[c + 1]!++);
    for (let c = 0; c < cells; c++) counts[c + 1]! += counts[c]!;
    this.cellStart = counts;
    this.cellItems = new Int32Array(counts[cells]!);
    const fill = counts.slice(0, cells);
    for (let i = 0; i < count; i++) span(i, (c) => (this.cellItems[fill[c]!++] = i));
  }

  get pieceCount(): number {
    return this.pieceRoad.length;
  }

  /**
   * The lane under (x, y): among the roads whose lanes contain the point, the one whose lane
   * centre is nearest (junction roads overlap; any of them is a faithful answer, and the nearest
   * centre is the one a driver would name). Null off the network.
   */
  project(x: number, y: number): LaneProjection | null {
    const cx = Math.floor((x - this.minX) / CELL_M);
    const cy = Math.floor((y - this.minY) / CELL_M);
    if (cx < 0 || cy < 0 || cx >= this.nx || cy >= this.ny) return null;
    const cell = cy * this.nx + cx;
    const P = this.pieces;
    let bestScore = Infinity;
    let bestRoad: OdrRoad | null = null;
    let bestLane = 0;
    let bestS = 0;
    let bestT = 0;
    let bestOffset = 0;
    let lastRoad = -1;
    let lastS = NaN;
    for (let k = this.cellStart[cell]!, end = this.cellStart[cell + 1]!; k < end; k++) {
      const i = this.cellItems[k]!;
      const o = i * F;
      const dx = x - P[o + X0]!;
      const dy = y - P[o + Y0]!;
      const c = P[o + C0]!;
      const sn = P[o + S0]!;
      const along = dx * c + dy * sn;
      const lat = -dx * sn + dy * c;
      const len = P[o + LEN]!;
      const tmax = P[o + TMAX]!;
      // Quick reject before any trigonometry: outside the piece's reach.
      const slack = P[o + SLACK]!;
      if (along < -slack || along > len + slack || lat > tmax + slack || lat < -tmax - slack) continue;
      const kk = P[o + K]!;
      let u: number;
      let t: number;
      if (Math.abs(kk) < 1e-9) {
        u = along;
        t = lat;
      } else {
        const R = 1 / kk;
        const qy = lat - R;
        const phi = Math.atan2(along * kk, -qy * kk);
        u = phi / kk;
        const dist = Math.sqrt(along * along + qy * qy);
        t = R - (R > 0 ? dist : -dist);
      }
      if (u < -END_TOL_M || u > len + END_TOL_M || t > tmax || t < -tmax) continue;
      const ri = this.pieceRoad[i]!;
      const road = this.roads[ri]!;
      const s = Math.min(road.length, Math.max(0, P[o + SS]! + Math.min(len, Math.max(0, u))));
      if (ri === lastRoad && Math.abs(s - lastS) < 1e-6) continue;
      lastRoad = ri;
      lastS = s;
      if (!laneAtTInto(road, s, t, hit)) continue;
      const laneId = hit[0]!;
      if (this.drivableOnly) {
        const sec = road.sections[sectionIndexAt(road, s)];
        const ln = sec ? lanesOf(sec, laneId) : undefined;
        if (!ln || !DRIVABLE_LANE_TYPES.has(ln.type)) continue;
      }
      const offset = t - hit[1]!;
      const score = Math.abs(offset) / Math.max(0.1, Math.abs(hit[3]! - hit[2]!));
      if (score < bestScore) {
        bestScore = score;
        bestRoad = road;
        bestLane = laneId;
        bestS = s;
        bestT = t;
        bestOffset = offset;
      }
    }
    return bestRoad ? { road: bestRoad, laneId: bestLane, s: bestS, t: bestT, offset: bestOffset } : null;
  }
}

const hit = new Float64Array(4);

/** The largest |t| of any lane border at s. */
function maxAbsT(road: OdrRoad, s: number): number {
  const si = sectionIndexAt(road, s);
  const sec = road.sections[si];
  if (!sec) return 0;
  let m = 0;
  const l = sec.left[sec.left.length - 1];
  const r = sec.right[sec.right.length - 1];
  if (l) m = Math.max(m, Math.abs(laneBounds(road, l.id, s)?.outer ?? 0));
  if (r) m = Math.max(m, Math.abs(laneBounds(road, r.id, s)?.outer ?? 0));
  const base = laneBounds(road, 0, s);
  return Math.max(m, Math.abs(base?.inner ?? 0));
}
