import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from '~/components/charts/downsample';

const rows = (n: number, f: (i: number) => number | null) => Array.from({ length: n }, (_, i) => ({ t: i, v: f(i) }));

describe('downsampleMinMax', () => {
  it('returns short inputs unchanged', () => {
    const r = rows(10, (i) => i);
    expect(downsampleMinMax(r, ['v'], 300)).toEqual(r);
  });

  it('bounds the row count and keeps the exact first and last rows, in order', () => {
    const r = rows(5000, (i) => Math.sin(i / 50));
    const d = downsampleMinMax(r, ['v'], 300);
    expect(d.length).toBeLessThanOrEqual(300);
    expect(d.length).toBeGreaterThan(250);
    expect(d[0]).toBe(r[0]);
    expect(d.at(-1)).toBe(r.at(-1));
    expect(d.map((p) => p.t)).toEqual([...d.map((p) => p.t)].sort((a, b) => a - b));
  });

  it('keeps a one-frame spike of any of the keys', () => {
    const r = rows(4000, (i) => (i === 1234 ? 99 : 1)).map((p) => ({ ...p, w: p.t === 2345 ? -7 : 0 }));
    const d = downsampleMinMax(r, ['v', 'w'], 200);
    expect(d.length).toBeLessThanOrEqual(200);
    expect(d.some((p) => p.v === 99)).toBe(true);
    expect(d.some((p) => p.w === -7)).toBe(true);
  });

  it('keeps a gap where a stretch has no values', () => {
    const r = rows(3000, (i) => (i >= 1000 && i < 1500 ? null : i));
    const d = downsampleMinMax(r, ['v'], 100);
    expect(d.some((p) => p.v === null)).toBe(true);
  });
});
