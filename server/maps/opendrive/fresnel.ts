/**
 * Fresnel integrals C(x) = ∫₀ˣ cos(πt²/2) dt and S(x) = ∫₀ˣ sin(πt²/2) dt, the closed form of
 * a clothoid (OpenDRIVE's `spiral`). A power series serves small |x|; beyond it the series
 * cancels catastrophically, so the complementary error function's continued fraction
 * (evaluated with the modified Lentz method) takes over. Both reach ~1e-15 relative accuracy.
 */

const SERIES_LIMIT = 1.5;
const EPS = 1e-16;
const MAX_ITER = 200;
const HALF_PI = Math.PI / 2;

/** Writes [C(x), S(x)] into `out` (no allocation: clothoids are evaluated in hot loops). */
export function fresnel(x: number, out: Float64Array | number[]): void {
  const ax = Math.abs(x);
  let c: number;
  let s: number;
  if (ax < SERIES_LIMIT) {
    // C = Σ (-1)^k (π/2)^{2k} x^{4k+1} / ((2k)! (4k+1)), S likewise with odd powers.
    const x2 = ax * ax;
    const q = HALF_PI * x2;
    let term = ax; // (π/2 x²)^n x / n!
    c = 0;
    s = 0;
    for (let n = 0; n < 60; n++) {
      const contrib = term / (2 * n + 1);
      if (n % 4 === 0) c += contrib;
      else if (n % 4 === 1) s += contrib;
      else if (n % 4 === 2) c -= contrib;
      else s -= contrib;
      if (contrib < EPS * Math.max(Math.abs(c), Math.abs(s), 1e-300)) break;
      term *= q / (n + 1);
    }
  } else {
    // (C + iS)(x) = (1+i)/2 · [1 − e^{iπx²/2} · h], h from erfc's continued fraction.
    const pix2 = Math.PI * x * x;
    // Complex numbers as [re, im] pairs, written out to stay allocation-free.
    let bRe = 1;
    const bIm = -pix2;
    const tiny = 1e-300;
    let ccRe = 1 / tiny;
    let ccIm = 0;
    // d = h = 1 / b
    let den = bRe * bRe + bIm * bIm;
    let dRe = bRe / den;
    let dIm = -bIm / den;
    let hRe = dRe;
    let hIm = dIm;
    let n = -1;
    for (let k = 2; k <= MAX_ITER; k++) {
      n += 2;
      const a = -n * (n + 1);
      bRe += 4;
      // d = 1 / (a·d + b)
      let tRe = a * dRe + bRe;
      let tIm = a * dIm + bIm;
      den = tRe * tRe + tIm * tIm;
      dRe = tRe / den;
      dIm = -tIm / den;
      // cc = b + a / cc
      den = ccRe * ccRe + ccIm * ccIm;
      ccRe = bRe + (a * ccRe) / den;
      ccIm = bIm - (a * ccIm) / den;
      // del = cc · d
      const delRe = ccRe * dRe - ccIm * dIm;
      const delIm = ccRe * dIm + ccIm * dRe;
      tRe = hRe * delRe - hIm * delIm;
      tIm = hRe * delIm + hIm * delRe;
      hRe = tRe;
      hIm = tIm;
      if (Math.abs(delRe - 1) + Math.abs(delIm) < EPS) break;
    }
    // h = (ax − i·ax) · h
    const h2Re = ax * hRe + ax * hIm;
    const h2Im = ax * hIm - ax * hRe;
    // 1 − e^{i·pix2/2} · h
    const er = Math.cos(0.5 * pix2);
    const ei = Math.sin(0.5 * pix2);
    const oRe = 1 - (er * h2Re - ei * h2Im);
    const oIm = -(er * h2Im + ei * h2Re);
    // (0.5 + 0.5i) · o
    c = 0.5 * oRe - 0.5 * oIm;
    s = 0.5 * oRe + 0.5 * oIm;
  }
  out[0] = x < 0 ? -c : c;
  out[1] = x < 0 ? -s : s;
}
