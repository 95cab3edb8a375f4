/** Polylines in map coordinates (x east, y north, z up; metres) and what vehicles ask of them. */

export interface Point3 {
  x: number;
  y: number;
  z: number;
}

export interface PathSample {
  x: number;
  y: number;
  z: number;
  /** rad, atan2 of the direction of travel */
  heading: number;
  /** rise over run of the segment, positive uphill */
  grade: number;
  /** index of the segment the sample lies on, a hint for the next query */
  seg: number;
}

export interface Projection {
  s: number;
  /** signed lateral distance, positive to the left of the direction of travel */
  d: number;
  seg: number;
}

export class Polyline {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly zs: Float64Array;
  /** arc length at each vertex */
  readonly cum: Float64Array;
  readonly length: number;

  constructor(points: readonly Point3[]) {
    if (points.length < 2) throw new Error('a polyline needs at least two points');
    const n = points.length;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.zs = new Float64Array(n);
    this.cum = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      this.xs[i] = p.x;
      this.ys[i] = p.y;
      this.zs[i] = p.z;
      if (i > 0) this.cum[i] = this.cum[i - 1]! + Math.hypot(p.x - this.xs[i - 1]!, p.y - this.ys[i - 1]!);
    }
    this.length = this.cum[n - 1]!;
  }

  get segments(): number {
    return this.xs.length - 1;
  }

  /** Segment holding arc length s, searched from a hint because vehicles move little per tick. */
  segmentAt(s: number, hint = 0): number {
    const last = this.segments - 1;
    let i = Math.min(Math.max(hint, 0), last);
    while (i < last && this.cum[i + 1]! < s) i++;
    while (i > 0 && this.cum[i]! > s) i--;
    return i;
  }

  sample(s: number, hint = 0): PathSample {
    const i = this.segmentAt(s, hint);
    const x0 = this.xs[i]!;
    const y0 = this.ys[i]!;
    const z0 = this.zs[i]!;
    const segLen = this.cum[i + 1]! - this.cum[i]!;
    const dx = this.xs[i + 1]! - x0;
    const dy = this.ys[i + 1]! - y0;
    const dz = this.zs[i + 1]! - z0;
    const u = segLen > 0 ? Math.min(Math.max((s - this.cum[i]!) / segLen, 0), 1) : 0;
    return {
      x: x0 + dx * u,
      y: y0 + dy * u,
      z: z0 + dz * u,
      heading: Math.atan2(dy, dx),
      grade: segLen > 0 ? dz / segLen : 0,
      seg: i,
    };
  }

  /** Nearest point to (x, y), searching outward from the hint segment only (local, O(1) per tick). */
  project(x: number, y: number, hint = 0): Projection {
    const h = Math.min(Math.max(hint, 0), this.segments - 1);
    let best = this.projectOn(h, x, y);
    for (let i = h + 1; i < this.segments; i++) {
      const p = this.projectOn(i, x, y);
      if (Math.abs(p.d) > Math.abs(best.d) + 1e-9) break;
      best = p;
    }
    if (best.seg === h) {
      for (let i = h - 1; i >= 0; i--) {
        const p = this.projectOn(i, x, y);
        if (Math.abs(p.d) >= Math.abs(best.d) - 1e-9) break;
        best = p;
      }
    }
    return best;
  }

  private projectOn(i: number, x: number, y: number): Projection {
    const x0 = this.xs[i]!;
    const y0 = this.ys[i]!;
    const dx = this.xs[i + 1]! - x0;
    const dy = this.ys[i + 1]! - y0;
    const len2 = dx * dx + dy * dy;
    const last = i === this.segments - 1;
    let u = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
    // The ends extrapolate so a vehicle that overshoots a lane end still gets an s beyond it.
    if (i > 0) u = Math.max(u, 0);
    if (!last) u = Math.min(u, 1);
    const px = x0 + dx * u;
    const py = y0 + dy * u;
    const len = Math.sqrt(len2);
    const cross = len > 0 ? (dx * (y - y0) - dy * (x - x0)) / len : 0;
    const dist = Math.hypot(x - px, y - py);
    return { s: this.cum[i]! + u * len, d: cross >= 0 ? dist : -dist, seg: i };
  }
}

/** Points offset sideways from a path (positive = left of travel), keeping z. */
export function offsetPoints(points: readonly Point3[], offset: number): Point3[] {
  const n = points.length;
  return points.map((p, i) => {
    const a = points[Math.max(i - 1, 0)]!;
    const b = points[Math.min(i + 1, n - 1)]!;
    const h = Math.atan2(b.y - a.y, b.x - a.x);
    return { x: p.x - Math.sin(h) * offset, y: p.y + Math.cos(h) * offset, z: p.z };
  });
}

/** Straight line sampled every `step` metres (so elevation profiles can be laid on it). */
export function line(a: Point3, b: Point3, step = 10): Point3[] {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const n = Math.max(1, Math.ceil(len / step));
  const out: Point3[] = [];
  for (let i = 0; i <= n; i++) {
    const u = i / n;
    out.push({ x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u, z: a.z + (b.z - a.z) * u });
  }
  return out;
}

/** Quadratic Bézier from a through control c to b: the turn path through a junction. */
export function bezier(a: Point3, c: Point3, b: Point3, n = 12): Point3[] {
  const out: Point3[] = [];
  for (let i = 0; i <= n; i++) {
    const u = i / n;
    const w0 = (1 - u) * (1 - u);
    const w1 = 2 * u * (1 - u);
    const w2 = u * u;
    out.push({
      x: w0 * a.x + w1 * c.x + w2 * b.x,
      y: w0 * a.y + w1 * c.y + w2 * b.y,
      z: w0 * a.z + w1 * c.z + w2 * b.z,
    });
  }
  return out;
}

/** Wraps an angle to (-π, π]. */
export function wrapAngle(a: number): number {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

/** Whether segments p1-p2 and p3-p4 cross (2D). */
export function segmentsCross(p1: Point3, p2: Point3, p3: Point3, p4: Point3): boolean {
  const d = (p2.x - p1.x) * (p4.y - p3.y) - (p2.y - p1.y) * (p4.x - p3.x);
  if (Math.abs(d) < 1e-12) return false;
  const u = ((p3.x - p1.x) * (p4.y - p3.y) - (p3.y - p1.y) * (p4.x - p3.x)) / d;
  const v = ((p3.x - p1.x) * (p2.y - p1.y) - (p3.y - p1.y) * (p2.x - p1.x)) / d;
  // Half-open on the first segment so a crossing exactly at a shared vertex counts once.
  return u >= 0 && u < 1 && v >= 0 && v <= 1;
}
