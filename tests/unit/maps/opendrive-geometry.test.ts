import { describe, expect, it } from 'vitest';
import { compileGeometry, evalGeometry, pose2 } from '~/server/maps/opendrive/geometry';
import { fresnel } from '~/server/maps/opendrive/fresnel';
import type { PlanGeometry } from '~/server/maps/opendrive';

/**
 * Each planView geometry type against values computed independently of the implementation:
 * closed forms for lines and arcs, and for curves high-resolution numerical integration of the
 * heading (a clothoid is defined by its curvature, so integrating cos/sin of its heading by
 * Simpson's rule gives the reference point without any Fresnel function).
 */

const compiled = new WeakMap<PlanGeometry, ReturnType<typeof compileGeometry>>();
const at = (g: PlanGeometry, ds: number) => {
  const out = pose2();
  let cg = compiled.get(g);
  if (!cg) compiled.set(g, (cg = compileGeometry(g)));
  evalGeometry(cg, ds, out);
  return { x: out[0]!, y: out[1]!, hdg: out[2]!, k: out[3]! };
};

/** Simpson integration of a curve given by its heading as a function of arc length. */
function integrateHeading(x0: number, y0: number, heading: (s: number) => number, length: number, n = 20000) {
  const h = length / n;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i <= n; i++) {
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    const th = heading(i * h);
    sx += w * Math.cos(th);
    sy += w * Math.sin(th);
  }
  return { x: x0 + (sx * h) / 3, y: y0 + (sy * h) / 3 };
}

/** Polyline length of the evaluated curve: converges to its arc length. */
function chordLength(g: PlanGeometry, n = 20000): number {
  let len = 0;
  let prev = at(g, 0);
  for (let i = 1; i <= n; i++) {
    const p = at(g, (g.length * i) / n);
    len += Math.hypot(p.x - prev.x, p.y - prev.y);
    prev = p;
  }
  return len;
}

/** Largest jump of heading between consecutive samples, and heading rate vs reported curvature. */
function headingChecks(g: PlanGeometry, n = 2000, metresPerS = 1): { maxJump: number; maxCurvErr: number } {
  let maxJump = 0;
  let maxCurvErr = 0;
  const h = g.length / n;
  for (let i = 1; i < n; i++) {
    const a = at(g, (i - 1) * h);
    const b = at(g, i * h);
    const c = at(g, (i + 1) * h);
    maxJump = Math.max(maxJump, Math.abs(c.hdg - b.hdg));
    const rate = (c.hdg - a.hdg) / (2 * h * metresPerS);
    maxCurvErr = Math.max(maxCurvErr, Math.abs(rate - b.k));
  }
  return { maxJump, maxCurvErr };
}

describe('Fresnel integrals', () => {
  it('match Simpson integration of cos/sin(πt²/2) on both sides of the series/continued-fraction switch', () => {
    const out = [0, 0];
    for (const x of [0.05, 0.7, 1.2, 1.49, 1.51, 2.5, 4, 7.5, -3]) {
      fresnel(x, out);
      const n = 100000;
      const h = x / n;
      let c = 0;
      let s = 0;
      for (let i = 0; i <= n; i++) {
        const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
        c += w * Math.cos((Math.PI * (i * h) ** 2) / 2);
        s += w * Math.sin((Math.PI * (i * h) ** 2) / 2);
      }
      expect(out[0]).toBeCloseTo((c * h) / 3, 10);
      expect(out[1]).toBeCloseTo((s * h) / 3, 10);
    }
  });
});

describe('planView geometry', () => {
  it('line: closed form, zero curvature, arc length', () => {
    const g: PlanGeometry = { s: 0, x: 3, y: -2, hdg: 0.7, length: 120, kind: 'line' };
    const p = at(g, 50);
    expect(p.x).toBeCloseTo(3 + 50 * Math.cos(0.7), 12);
    expect(p.y).toBeCloseTo(-2 + 50 * Math.sin(0.7), 12);
    expect(p.hdg).toBe(0.7);
    expect(p.k).toBe(0);
    expect(chordLength(g, 10)).toBeCloseTo(120, 9);
  });

  it('arc: closed form about its centre, constant curvature, arc length', () => {
    for (const k of [1 / 50, -1 / 80]) {
      const g: PlanGeometry = { s: 0, x: 10, y: 20, hdg: -0.4, length: 90, kind: 'arc', curvature: k };
      const r = 1 / k;
      const cx = 10 - r * Math.sin(-0.4);
      const cy = 20 + r * Math.cos(-0.4);
      for (const ds of [0, 13, 45, 90]) {
        const p = at(g, ds);
        const th = -0.4 + k * ds;
        expect(p.x).toBeCloseTo(cx + r * Math.sin(th), 9);
        expect(p.y).toBeCloseTo(cy - r * Math.cos(th), 9);
        expect(p.hdg).toBeCloseTo(th, 12);
        expect(p.k).toBe(k);
      }
      expect(chordLength(g)).toBeCloseTo(90, 4);
      const hc = headingChecks(g);
      expect(hc.maxCurvErr).toBeLessThan(1e-8);
    }
  });

  it('spiral: end points against numerically integrated clothoids, linear curvature', () => {
    const cases = [
      { k0: 0, k1: 0.02, L: 60 },
      { k0: 0.02, k1: 0, L: 60 },
      { k0: -0.01, k1: 0.03, L: 100 },
      { k0: 0.05, k1: -0.05, L: 40 },
      { k0: 0, k1: -0.1, L: 25 },
      { k0: 0.001, k1: 0.0010001, L: 200 },
    ];
    for (const { k0, k1, L } of cases) {
      const g: PlanGeometry = { s: 0, x: 5, y: 7, hdg: 1.1, length: L, kind: 'spiral', curvStart: k0, curvEnd: k1 };
      const rate = (k1 - k0) / L;
      const heading = (s: number) => 1.1 + k0 * s + 0.5 * rate * s * s;
      for (const ds of [L / 3, L]) {
        const ref = integrateHeading(5, 7, heading, ds);
        const p = at(g, ds);
        expect(Math.hypot(p.x - ref.x, p.y - ref.y)).toBeLessThan(1e-8);
        expect(p.hdg).toBeCloseTo(heading(ds), 10);
        expect(p.k).toBeCloseTo(k0 + rate * ds, 12);
      }
      expect(chordLength(g)).toBeCloseTo(L, 4);
      expect(headingChecks(g).maxCurvErr).toBeLessThan(1e-6);
    }
  });

  it('poly3: on its polynomial, s is arc length, heading follows the slope', () => {
    const poly = { a: 0, b: 0.1, c: 0.004, d: -0.00003 };
    const g: PlanGeometry = { s: 0, x: 0, y: 0, hdg: 0.3, length: 80, kind: 'poly3', poly3: poly };
    const v = (u: number) => poly.a + u * (poly.b + u * (poly.c + u * poly.d));
    const dv = (u: number) => poly.b + u * (2 * poly.c + 3 * poly.d * u);
    // Reference: u reached after arc length 40, by fine trapezoid integration of √(1+v'²).
    let s = 0;
    let u = 0;
    const du = 1e-4;
    while (s < 40) {
      const step = 0.5 * du * (Math.hypot(1, dv(u)) + Math.hypot(1, dv(u + du)));
      if (s + step > 40) {
        u += (du * (40 - s)) / step;
        s = 40;
      } else {
        s += step;
        u += du;
      }
    }
    const p = at(g, 40);
    const lx = u;
    const ly = v(u);
    expect(p.x).toBeCloseTo(lx * Math.cos(0.3) - ly * Math.sin(0.3), 4);
    expect(p.y).toBeCloseTo(lx * Math.sin(0.3) + ly * Math.cos(0.3), 4);
    expect(p.hdg).toBeCloseTo(0.3 + Math.atan(dv(u)), 6);
    expect(chordLength(g)).toBeCloseTo(80, 3);
    expect(headingChecks(g).maxCurvErr).toBeLessThan(1e-5);
  });

  it('paramPoly3 (arcLength and normalized): s is arc length, ends where the polynomial ends', () => {
    const coeffs = { aU: 0, bU: 1, cU: -0.002, dU: 0.00001, aV: 0, bV: 0, cV: 0.004, dV: -0.00002 };
    const uEnd = (p: number) => coeffs.aU + p * (coeffs.bU + p * (coeffs.cU + p * coeffs.dU));
    const vEnd = (p: number) => coeffs.aV + p * (coeffs.bV + p * (coeffs.cV + p * coeffs.dV));
    // True arc length of p ∈ [0, 60] by fine summation; normalized form: same curve with p/60.
    let len = 0;
    for (let i = 0; i < 200000; i++) {
      const p0 = (60 * i) / 200000;
      const p1 = (60 * (i + 1)) / 200000;
      len += Math.hypot(uEnd(p1) - uEnd(p0), vEnd(p1) - vEnd(p0));
    }
    const n = 60;
    const normalized = {
      aU: coeffs.aU,
      bU: coeffs.bU * n,
      cU: coeffs.cU * n * n,
      dU: coeffs.dU * n ** 3,
      aV: coeffs.aV,
      bV: coeffs.bV * n,
      cV: coeffs.cV * n * n,
      dV: coeffs.dV * n ** 3,
    };
    // arcLength: p runs over [0, length] (here 60, a little less than the curve's true length,
    // as in files whose polynomial is not exactly unit-speed); normalized: p over [0, 1].
    for (const [pp, length] of [
      [{ ...coeffs, pRange: 'arcLength' as const }, 60],
      [{ ...normalized, pRange: 'normalized' as const }, len],
    ] as const) {
      const g: PlanGeometry = { s: 0, x: 1, y: 2, hdg: -0.5, length, kind: 'paramPoly3', paramPoly3: pp };
      const end = at(g, length);
      const ex = uEnd(60);
      const ey = vEnd(60);
      expect(end.x).toBeCloseTo(1 + ex * Math.cos(-0.5) - ey * Math.sin(-0.5), 6);
      expect(end.y).toBeCloseTo(2 + ex * Math.sin(-0.5) + ey * Math.cos(-0.5), 6);
      const du = coeffs.bU + 60 * (2 * coeffs.cU + 3 * coeffs.dU * 60);
      const dv = coeffs.bV + 60 * (2 * coeffs.cV + 3 * coeffs.dV * 60);
      expect(end.hdg).toBeCloseTo(-0.5 + Math.atan2(dv, du), 9);
      // The drawn curve is the polynomial's whole length; s is stretched evenly over it.
      expect(chordLength(g)).toBeCloseTo(len, 3);
      const a = at(g, 10);
      const b = at(g, 10.01);
      expect(Math.hypot(b.x - a.x, b.y - a.y)).toBeCloseTo((0.01 * len) / length, 5);
      expect(headingChecks(g, 2000, len / length).maxCurvErr).toBeLessThan(1e-5);
    }
  });
});
