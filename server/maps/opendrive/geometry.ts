import { fresnel } from './fresnel';
import type { Cubic, OdrRoad, PlanGeometry } from './model';

/**
 * Evaluation of a road's reference line (planView) and its cubic profiles. Pure maths: every
 * function answers from the geometry records alone. Curves without a closed-form arc length
 * (poly3, paramPoly3) get a table from 5-point Gauss–Legendre quadrature, so that `s` is true
 * arc length everywhere, as OpenDRIVE defines it.
 */

/** x, y, heading (rad), curvature (1/m) */
export type Pose2 = Float64Array;

export function pose2(): Pose2 {
  return new Float64Array(4);
}

/** The record governing `s`: the last one starting at or before it (the first one before all). */
export function recordIndex(records: readonly { s: number }[], s: number): number {
  let lo = 0;
  let hi = records.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (records[mid]!.s <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function cubicValue(records: readonly Cubic[], s: number): number {
  if (records.length === 0) return 0;
  const r = records[recordIndex(records, s)]!;
  const ds = s - r.s;
  return r.a + ds * (r.b + ds * (r.c + ds * r.d));
}

export function cubicSlope(records: readonly Cubic[], s: number): number {
  if (records.length === 0) return 0;
  const r = records[recordIndex(records, s)]!;
  const ds = s - r.s;
  return r.b + ds * (2 * r.c + ds * 3 * r.d);
}

// 5-point Gauss–Legendre nodes and weights on [-1, 1].
const GL_X = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
const GL_W = [0.5688888888888889, 0.47862867049936647, 0.47862867049936647, 0.23692688505618908, 0.23692688505618908];

/** A curve given by a parameter p whose arc length is tabulated: s ↔ p by interpolation. */
interface ParamTable {
  /** p at each knot */
  p: Float64Array;
  /** arc length at each knot, scaled so that the last equals the geometry's length */
  s: Float64Array;
}

function buildTable(speed: (p: number) => number, p1: number, knots: number, length: number): ParamTable {
  const p = new Float64Array(knots + 1);
  const s = new Float64Array(knots + 1);
  const dp = p1 / knots;
  for (let i = 1; i <= knots; i++) {
    const a = (i - 1) * dp;
    let sum = 0;
    for (let k = 0; k < 5; k++) sum += GL_W[k]! * speed(a + dp * (0.5 + 0.5 * GL_X[k]!));
    p[i] = i * dp;
    s[i] = s[i - 1]! + sum * dp * 0.5;
  }
  // The declared length is authoritative for s; a file whose curve is a little longer or
  // shorter than it says is stretched to fit, so both ends stay where the file puts them.
  const total = s[knots]!;
  if (total > 0 && length > 0) for (let i = 1; i <= knots; i++) s[i] = (s[i]! * length) / total;
  return { p, s };
}

function tableP(t: ParamTable, ds: number): number {
  const n = t.s.length - 1;
  if (ds <= 0) return (ds / (t.s[1]! || 1)) * t.p[1]!;
  if (ds >= t.s[n]!) return t.p[n]! + ((ds - t.s[n]!) / (t.s[n]! - t.s[n - 1]! || 1)) * (t.p[n]! - t.p[n - 1]!);
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t.s[mid]! <= ds) lo = mid;
    else hi = mid;
  }
  const f = (ds - t.s[lo]!) / (t.s[hi]! - t.s[lo]!);
  return t.p[lo]! + f * (t.p[hi]! - t.p[lo]!);
}

/** Arc-length tables are at least this fine, so interpolating p between knots stays sub-millimetre. */
const KNOT_SPACING_M = 0.25;

export interface CompiledGeometry {
  g: PlanGeometry;
  cos: number;
  sin: number;
  /** spiral: curvature rate, start of the standard clothoid, its point and angle there */
  rate?: number;
  u0?: number;
  a?: number;
  x0?: number;
  y0?: number;
  th0?: number;
  table?: ParamTable;
  /** paramPoly3 with pRange normalized: p runs over [0, 1] */
  pMax?: number;
}

const fr = new Float64Array(2);

/** Below this curvature rate a spiral is an arc of its mean curvature (Fresnel would cancel). */
const MIN_SPIRAL_RATE = 1e-12;

export function compileGeometry(g: PlanGeometry): CompiledGeometry {
  const out: CompiledGeometry = { g, cos: Math.cos(g.hdg), sin: Math.sin(g.hdg) };
  if (g.kind === 'spiral') {
    const k0 = g.curvStart ?? 0;
    const k1 = g.curvEnd ?? 0;
    const rate = g.length > 0 ? (k1 - k0) / g.length : 0;
    if (Math.abs(rate) >= MIN_SPIRAL_RATE) {
      const a = Math.sqrt(Math.PI / Math.abs(rate));
      const u0 = k0 / rate;
      fresnel(u0 / a, fr);
      out.rate = rate;
      out.u0 = u0;
      out.a = a;
      out.x0 = a * fr[0]!;
      out.y0 = Math.sign(rate) * a * fr[1]!;
      out.th0 = 0.5 * rate * u0 * u0;
    }
  } else if (g.kind === 'poly3' && g.poly3) {
    const { b, c, d } = g.poly3;
    const speed = (u: number) => Math.hypot(1, b + u * (2 * c + 3 * d * u));
    // u at the end is unknown: extend a coarse table until it covers the length, then refine.
    let uEnd = g.length;
    for (let i = 0; i < 60; i++) {
      const t = buildTable(speed, uEnd, 64, 0);
      const len = t.s[64]!;
      if (Math.abs(len - g.length) < 1e-9) break;
      uEnd *= g.length / len;
    }
    out.table = buildTable(speed, uEnd, Math.max(16, Math.ceil(g.length / KNOT_SPACING_M)), g.length);
  } else if (g.kind === 'paramPoly3' && g.paramPoly3) {
    const pp = g.paramPoly3;
    const pMax = pp.pRange === 'normalized' ? 1 : g.length;
    const speed = (p: number) =>
      Math.hypot(pp.bU + p * (2 * pp.cU + 3 * pp.dU * p), pp.bV + p * (2 * pp.cV + 3 * pp.dV * p));
    out.pMax = pMax;
    out.table = buildTable(speed, pMax, Math.max(16, Math.ceil(g.length / KNOT_SPACING_M)), g.length);
  }
  return out;
}

/** Local (u, v, heading offset, curvature) of a geometry at `ds` along it, then placed in the world. */
export function evalGeometry(cg: CompiledGeometry, ds: number, out: Pose2): void {
  const g = cg.g;
  let u: number;
  let v: number;
  let th: number;
  let k: number;
  switch (g.kind) {
    case 'line':
      u = ds;
      v = 0;
      th = 0;
      k = 0;
      break;
    case 'arc':
    case 'spiral': {
      if (g.kind === 'spiral' && cg.rate !== undefined) {
        const a = cg.a!;
        const us = cg.u0! + ds;
        fresnel(us / a, fr);
        const px = a * fr[0]! - cg.x0!;
        const py = Math.sign(cg.rate) * a * fr[1]! - cg.y0!;
        // Rotate the standard clothoid so that it starts with heading 0 at the origin.
        const c0 = Math.cos(cg.th0!);
        const s0 = Math.sin(cg.th0!);
        u = px * c0 + py * s0;
        v = -px * s0 + py * c0;
        th = 0.5 * cg.rate * us * us - cg.th0!;
        k = cg.rate * us;
        break;
      }
      const kk = g.kind === 'arc' ? (g.curvature ?? 0) : 0.5 * ((g.curvStart ?? 0) + (g.curvEnd ?? 0));
      th = kk * ds;
      k = kk;
      if (Math.abs(kk) < 1e-12) {
        u = ds;
        v = 0;
      } else {
        u = Math.sin(th) / kk;
        v = (1 - Math.cos(th)) / kk;
      }
      break;
    }
    case 'poly3': {
      const { a, b, c, d } = g.poly3!;
      const p = tableP(cg.table!, ds);
      u = p;
      v = a + p * (b + p * (c + p * d));
      const dv = b + p * (2 * c + 3 * d * p);
      const ddv = 2 * c + 6 * d * p;
      th = Math.atan(dv);
      k = ddv / Math.pow(1 + dv * dv, 1.5);
      break;
    }
    case 'paramPoly3': {
      const pp = g.paramPoly3!;
      const p = tableP(cg.table!, ds);
      u = pp.aU + p * (pp.bU + p * (pp.cU + p * pp.dU));
      v = pp.aV + p * (pp.bV + p * (pp.cV + p * pp.dV));
      const du = pp.bU + p * (2 * pp.cU + 3 * pp.dU * p);
      const dv = pp.bV + p * (2 * pp.cV + 3 * pp.dV * p);
      const ddu = 2 * pp.cU + 6 * pp.dU * p;
      const ddv = 2 * pp.cV + 6 * pp.dV * p;
      th = Math.atan2(dv, du);
      const sp = Math.hypot(du, dv);
      k = sp > 0 ? (du * ddv - dv * ddu) / (sp * sp * sp) : 0;
      break;
    }
  }
  out[0] = g.x + u * cg.cos - v * cg.sin;
  out[1] = g.y + u * cg.sin + v * cg.cos;
  out[2] = g.hdg + th;
  out[3] = k;
}

const compiled = new WeakMap<OdrRoad, CompiledGeometry[]>();

export function compiledPlan(road: OdrRoad): CompiledGeometry[] {
  let c = compiled.get(road);
  if (!c) {
    c = road.geometries.map(compileGeometry);
    compiled.set(road, c);
  }
  return c;
}

/** The reference line at `s` (clamped to the road): x, y, heading, curvature into `out`. */
export function referenceAt(road: OdrRoad, s: number, out: Pose2 = pose2()): Pose2 {
  const plan = compiledPlan(road);
  if (plan.length === 0) {
    out.fill(0);
    return out;
  }
  const ss = Math.min(Math.max(s, 0), road.length);
  const i = recordIndex(road.geometries, ss);
  const cg = plan[i]!;
  evalGeometry(cg, Math.min(ss - cg.g.s, cg.g.length), out);
  return out;
}
