import { describe, expect, it } from 'vitest';
import { formatClock, formatPercent, formatTime, relative, zoneLabel } from '~/components/ui/format';

describe('ui format helpers', () => {
  const now = Date.parse('2026-01-31T12:00:00Z');

  it('relative times are coarse and say "never" for nothing', () => {
    expect(relative(null, now)).toBe('never');
    expect(relative(new Date(now - 30_000), now)).toBe('just now');
    expect(relative(new Date(now - 5 * 60_000), now)).toBe('5 min ago');
    expect(relative('2026-01-31T09:00:00Z', now)).toBe('3 h ago');
    expect(relative('2026-01-29T12:00:00Z', now)).toBe('2 d ago');
  });

  it('timestamps print in UTC to the minute', () => {
    expect(formatTime('2026-01-31T14:05:59Z')).toBe('2026-01-31 14:05 UTC');
    expect(formatTime(undefined)).toBe('—');
  });

  it('percentages clamp to 0..100', () => {
    expect(formatPercent(0.456)).toBe('46%');
    expect(formatPercent(1.7)).toBe('100%');
    expect(formatPercent(-1)).toBe('0%');
  });

  it('local mode keeps the same 24-hour, ISO-ordered format, labelled with its zone', () => {
    const berlin = { zone: 'local', timeZone: 'Europe/Berlin' } as const;
    expect(formatTime('2026-01-31T14:05:59Z', berlin)).toBe('2026-01-31 15:05 GMT+1');
    // Past midnight in the local zone: the date moves too, and no "AM/PM" creeps in.
    expect(formatTime('2026-01-31T23:30:00Z', berlin)).toBe('2026-02-01 00:30 GMT+1');
    expect(formatTime('2026-07-01T12:00:00Z', { zone: 'local', timeZone: 'America/New_York' })).toBe(
      '2026-07-01 08:00 EDT',
    );
    expect(formatTime('2026-01-31T14:05:09Z', { seconds: true })).toBe('2026-01-31 14:05:09 UTC');
  });

  it('clock times are 24-hour with seconds, in the chosen zone', () => {
    expect(formatClock('2026-01-31T21:05:09Z')).toBe('21:05:09');
    expect(formatClock(Date.parse('2026-01-31T21:05:09Z'), { zone: 'local', timeZone: 'Asia/Tokyo' })).toBe('06:05:09');
    expect(formatClock('not a date')).toBe('—');
    expect(zoneLabel()).toBe('UTC');
    expect(zoneLabel({ zone: 'local', timeZone: 'Asia/Tokyo' })).toBe('GMT+9');
  });
});
