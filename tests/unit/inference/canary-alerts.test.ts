import { describe, expect, it } from 'vitest';
import { AlertDebouncer, alertId } from '~/workers/inference/alerts';
import { hashUnit, routesToCanary } from '~/server/inference/canary';

describe('canary routing', () => {
  const vehicles = Array.from({ length: 10_000 }, (_, i) => `veh-${i}`);

  for (const weight of [0.05, 0.1, 0.25, 0.5, 0.9]) {
    it(`sends ${weight * 100}% of 10,000 vehicles to the canary, within ±3 points`, () => {
      const share = vehicles.filter((v) => routesToCanary('model-a', v, weight)).length / vehicles.length;
      expect(Math.abs(share - weight)).toBeLessThanOrEqual(0.03);
    });
  }

  it('keeps each vehicle on one version, and raising the weight only moves vehicles to the canary', () => {
    const at10 = vehicles.map((v) => routesToCanary('model-a', v, 0.1));
    expect(vehicles.map((v) => routesToCanary('model-a', v, 0.1))).toEqual(at10);
    const at30 = vehicles.map((v) => routesToCanary('model-a', v, 0.3));
    at10.forEach((was, i) => {
      if (was) expect(at30[i]).toBe(true);
    });
    expect(at30.filter(Boolean).length).toBeGreaterThan(at10.filter(Boolean).length);
  });

  it('splits two models independently, and 0 and 1 are exact', () => {
    const a = vehicles.map((v) => routesToCanary('model-a', v, 0.5));
    const b = vehicles.map((v) => routesToCanary('model-b', v, 0.5));
    const same = a.filter((x, i) => x === b[i]).length / vehicles.length;
    expect(same).toBeGreaterThan(0.45);
    expect(same).toBeLessThan(0.55);
    expect(vehicles.some((v) => routesToCanary('m', v, 0))).toBe(false);
    expect(vehicles.every((v) => routesToCanary('m', v, 1))).toBe(true);
  });

  it('hashes into [0, 1)', () => {
    for (const v of vehicles.slice(0, 500)) {
      const h = hashUnit(v);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(1);
    }
  });
});

describe('alert debouncing (K of the last N windows)', () => {
  const feed = (d: AlertDebouncer, flags: number[], key = 'k', start = 0) =>
    flags.map((f, i) => d.observe('run', key, 'model', start + i, f === 1));

  it('fires once when K of the last N cross, not before', () => {
    const d = new AlertDebouncer({ k: 3, n: 5 });
    expect(feed(d, [1, 0, 1, 0, 0, 0])).toEqual([false, false, false, false, false, false]);
    const d2 = new AlertDebouncer({ k: 3, n: 5 });
    expect(feed(d2, [1, 0, 1, 0, 1])).toEqual([false, false, false, false, true]);
  });

  it('raises one alert per episode however long it lasts or however it flickers', () => {
    const d = new AlertDebouncer({ k: 3, n: 5 });
    const out = feed(d, [1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1]);
    expect(out.filter(Boolean)).toHaveLength(1);
    expect(out.indexOf(true)).toBe(2);
  });

  it('starts a new episode only after N windows in a row below the threshold', () => {
    const d = new AlertDebouncer({ k: 2, n: 3 });
    const out = feed(d, [1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
    // Two quiet windows (less than N=3) do not end the first episode; three do.
    expect(out.map((x, i) => (x ? i : -1)).filter((i) => i >= 0)).toEqual([1, 10]);
  });

  it('keeps vehicles apart, replaces a re-emitted window and ignores older ones', () => {
    const d = new AlertDebouncer({ k: 2, n: 3 });
    expect(d.observe('run', 'a', 'm', 0, true)).toBe(false);
    expect(d.observe('run', 'b', 'm', 0, true)).toBe(false);
    // A late update of window 0 that no longer crosses: still one crossing only for "a".
    expect(d.observe('run', 'a', 'm', 0, false)).toBe(false);
    expect(d.observe('run', 'a', 'm', 1, true)).toBe(false);
    expect(d.observe('run', 'a', 'm', 0, true)).toBe(false);
    expect(d.observe('run', 'a', 'm', 2, true)).toBe(true);
    expect(d.observe('run', 'b', 'm', 1, true)).toBe(true);
  });

  it('forgets idle vehicles and rejects impossible policies', () => {
    const d = new AlertDebouncer({ k: 1, n: 1 });
    d.observe('run', 'a', 'm', 0, false, 1000);
    d.observe('run', 'b', 'm', 0, false, 5000);
    expect(d.sweep(2000, 6000)).toBe(1);
    expect(d.size).toBe(1);
    expect(() => new AlertDebouncer({ k: 4, n: 3 })).toThrow(/K ≤ N/);
    expect(() => new AlertDebouncer({ k: 0, n: 3 })).toThrow();
  });

  it('a copy that takes a vehicle over continues the episode another copy alerted', () => {
    // The old owner alerted at window 2; windows 3.. arrive at the new owner, still crossing.
    const d = new AlertDebouncer({ k: 2, n: 3 });
    expect(d.knows('run', 'k')).toBe(false);
    d.resume('run', 'k', 'model', 2);
    expect(d.knows('run', 'k')).toBe(true);
    expect(feed(d, [1, 1, 1, 1], 'k', 3)).toEqual([false, false, false, false]);
    // The episode ends after N quiet windows; a new one alerts again.
    expect(feed(d, [0, 0, 0, 1, 1], 'k', 7)).toEqual([false, false, false, false, true]);
    // Windows before the resumed alert are ignored; a resume of a known track changes nothing.
    const e = new AlertDebouncer({ k: 1, n: 1 });
    e.resume('run', 'k', 'model', 5);
    expect(e.observe('run', 'k', 'model', 4, true)).toBe(false);
    e.observe('run', 'k', 'model', 6, false);
    e.resume('run', 'k', 'model', 6);
    expect(e.observe('run', 'k', 'model', 7, true)).toBe(true);
  });

  it('gives a replayed alert the same id', () => {
    expect(alertId('r', 'v', 'mv', 12)).toBe(alertId('r', 'v', 'mv', 12));
    expect(alertId('r', 'v', 'mv', 12)).not.toBe(alertId('r', 'v', 'mv', 13));
  });
});
