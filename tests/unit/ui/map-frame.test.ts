import { describe, expect, it } from 'vitest';
import { FIT_MARGIN, FIT_MIN_SPAN, fitBox } from '~/components/live/map-frame';

const inside = (b: { x: number; y: number; w: number; h: number }, p: { x: number; y: number }, margin: number) =>
  p.x - margin >= b.x && p.x + margin <= b.x + b.w && -p.y - margin >= b.y && -p.y + margin <= b.y + b.h;

describe('fitBox', () => {
  it('keeps every vehicle inside with at least the margin, on a ring of 20', () => {
    const ring = Array.from({ length: 20 }, (_, i) => ({
      x: 400 * Math.cos((i / 20) * 2 * Math.PI) + 100,
      y: 150 * Math.sin((i / 20) * 2 * Math.PI) - 50,
    }));
    const box = fitBox(ring)!;
    for (const p of ring) expect(inside(box, p, FIT_MARGIN), JSON.stringify(p)).toBe(true);
    // The margin grows with the spread: 8 % of 800 m is more than the 25 m floor.
    expect(box.w).toBeCloseTo(800 + 2 * 64);
  });

  it('flips y (map north is SVG up) and centres a lone vehicle in the smallest span', () => {
    const box = fitBox([{ x: 10, y: 20 }])!;
    expect(box).toEqual({ x: 10 - FIT_MIN_SPAN / 2, y: -20 - FIT_MIN_SPAN / 2, w: FIT_MIN_SPAN, h: FIT_MIN_SPAN });
  });

  it('has nothing to frame without vehicles', () => {
    expect(fitBox([])).toBeNull();
  });
});
