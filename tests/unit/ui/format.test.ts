import { describe, expect, it } from 'vitest';
import { formatPercent, formatTime, relative } from '~/components/ui/format';

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
});
