import { describe, expect, it } from 'vitest';
import { extent, formatFixed, formatTick, formatValue, logTicks, niceStep, niceTicks } from '~/components/charts/ticks';

const labels = (min: number, max: number, unit?: string, opts = {}) => {
  const axis = niceTicks(min, max, opts);
  return axis.ticks.map((t) => formatTick(axis, t, unit));
};

describe('chart ticks', () => {
  it('steps are 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1.2, 5)).toBeCloseTo(0.5);
    expect(niceStep(730, 5)).toBe(200);
  });

  it('a narrow time window never repeats a label (the "90s 90s 91s" bug)', () => {
    const l = labels(89.6, 91.4, 's', { tight: true });
    expect(new Set(l).size).toBe(l.length);
    expect(l).toEqual(['90.0 s', '90.5 s', '91.0 s']);
  });

  it('labels stay distinct over many random ranges', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const a = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 3);
      const b = a + rnd() * 10 ** Math.floor(rnd() * 8 - 3);
      for (const tight of [false, true]) {
        const l = labels(a, b, undefined, { tight });
        expect(new Set(l).size, `${a}..${b}: ${l.join(' ')}`).toBe(l.length);
        expect(
          l.some((x) => /^-0(\.0*)?$/.test(x)),
          l.join(' '),
        ).toBe(false);
      }
    }
  });

  it('never prints negative zero', () => {
    expect(formatFixed(-0.04, 1)).toBe('0.0');
    expect(formatFixed(-0, 0)).toBe('0');
    expect(formatFixed(-0.06, 1)).toBe('-0.1');
    expect(labels(-0.3, 0.3)).toContain('0.0');
    expect(formatValue(-0.00001)).toBe('-1.0e-5');
    expect(formatValue(-0.0)).toBe('0');
    expect(formatValue(-0.0004)).toBe('-0.0004');
  });

  it('covers the data and widens a single value', () => {
    const a = niceTicks(3, 97);
    expect(a.domain).toEqual([0, 100]);
    const one = niceTicks(5, 5);
    expect(one.ticks[0]).toBeLessThan(5);
    expect(one.ticks.at(-1)).toBeGreaterThan(5);
  });

  it('integer axes tick on whole numbers only', () => {
    const a = niceTicks(1, 3, { integer: true });
    expect(a.ticks.every((t) => Number.isInteger(t))).toBe(true);
    expect(new Set(a.ticks).size).toBe(a.ticks.length);
  });

  it('large values get a k suffix with distinct labels', () => {
    const l = labels(12_000, 13_000);
    expect(l[0]).toBe('12.0k');
    expect(new Set(l).size).toBe(l.length);
  });

  it('log axes tick on decades', () => {
    expect(logTicks(0.003, 4).ticks).toEqual([0.001, 0.01, 0.1, 1, 10]);
  });

  it('extent skips nulls and, for log axes, non-positive values', () => {
    const rows = [
      { a: 1, b: null },
      { a: -2, b: 5 },
    ];
    expect(extent(rows, ['a', 'b'])).toEqual([-2, 5]);
    expect(extent(rows, ['a', 'b'], true)).toEqual([1, 5]);
    expect(extent([], ['a'])).toBeNull();
  });
});
