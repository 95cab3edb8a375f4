import { formatValue } from '~/components/charts';

/**
 * The latest values of a chart's lines, each named and with its unit ("longitudinal 0.12 m/s² ·
 * lateral -0.23 m/s²"), so a header never shows a bare number that could belong to either line.
 * Pure.
 */
export function laneHeadline<T extends object>(
  lines: readonly { key: keyof T & string; name: string }[],
  last: T | undefined,
  unit: string,
  note?: string | null,
): string {
  if (!last) return '—';
  const values = lines.map((l) => {
    const v: unknown = last[l.key];
    return `${l.name} ${formatValue(typeof v === 'number' ? v : null, unit)}`;
  });
  return [...(note ? [note] : []), ...values].join(' · ');
}
