import { describe, expect, it } from 'vitest';
import { labelledMarkers } from '~/components/charts/markers';
import { formatTick, niceTicks } from '~/components/charts/ticks';
import { laneHeadline } from '~/components/live/lane-headline';

describe('live chart headlines', () => {
  it('name every value and give each its unit', () => {
    const lines = [
      { key: 'lon', name: 'longitudinal' },
      { key: 'lat', name: 'lateral' },
    ] as const;
    expect(laneHeadline([...lines], { lon: 0.1234, lat: -0.2281 }, 'm/s²')).toBe(
      'longitudinal 0.123 m/s² · lateral -0.228 m/s²',
    );
  });

  it('names a single line too, puts the note first, and marks missing values', () => {
    expect(laneHeadline([{ key: 'speed', name: 'speed' }], { speed: 29.98 }, 'm/s')).toBe('speed 29.98 m/s');
    expect(
      laneHeadline(
        [
          { key: 'lo', name: 'lowest wheel' },
          { key: 'hi', name: 'highest wheel' },
        ],
        { lo: 288.51, hi: null },
        'kPa',
        'worst wheel FL',
      ),
    ).toBe('worst wheel FL · lowest wheel 288.5 kPa · highest wheel —');
    expect(laneHeadline<{ speed: number }>([{ key: 'speed', name: 'speed' }], undefined, 'm/s')).toBe('—');
  });
});

describe('live chart axes', () => {
  // The ranges the live lanes really show: a steady speed, a tyre spread, accelerations around 0.
  it.each([
    [29.9, 30.05],
    [288.2, 292.9],
    [-1.04, 2.7],
    [41.7, 57.6],
    [0.0, 0.05],
  ])('%s..%s ticks are distinct, evenly stepped labels', (lo, hi) => {
    const axis = niceTicks(lo, hi, { target: 4 });
    const labels = axis.ticks.map((t) => formatTick(axis, t));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    // One precision for the whole axis: every label has as many decimals as the first.
    const decimals = labels.map((l) => l.split('.')[1]?.length ?? 0);
    expect(new Set(decimals).size).toBe(1);
  });
});

describe('marker labels', () => {
  it('label only markers with room to themselves, the rest keep their line', () => {
    const markers = [0, 1, 2, 30, 31, 80, 200].map((x) => ({ x }));
    // Span 100, a label needs 15: 0 is labelled, 1 and 2 are too close, 30 is clear, 31 not, 80 is.
    expect([...labelledMarkers(markers, [0, 100])].sort((a, b) => a - b)).toEqual([0, 3, 5]);
  });

  it('works on markers out of order and labels a lone one', () => {
    expect([...labelledMarkers([{ x: 50 }, { x: 10 }, { x: 12 }], [0, 100])].sort()).toEqual([0, 1]);
    expect([...labelledMarkers([{ x: 5 }], [5, 5])]).toEqual([0]);
  });
});
