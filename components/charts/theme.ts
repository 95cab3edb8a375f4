/**
 * Chart colours and axis styling, all read from the design tokens in app/globals.css (SVG
 * presentation attributes accept var()), so charts follow a theme change without code.
 */

/** Series colours in order; pick with seriesColor(i). */
export const CHART_COLORS = [
  'var(--chart-1)',
  'var(--chart-2)',
  'var(--chart-3)',
  'var(--chart-4)',
  'var(--chart-5)',
  'var(--chart-6)',
  'var(--chart-7)',
  'var(--chart-8)',
] as const;

/** Named colours for series that mean something (errors red, thresholds, production green). */
export const CHART_TONE = {
  accent: 'var(--chart-1)',
  ok: 'var(--ok)',
  warn: 'var(--warn)',
  bad: 'var(--bad)',
  purple: 'var(--purple)',
  orange: 'var(--chart-8)',
  pink: 'var(--chart-6)',
  muted: 'var(--muted)',
} as const;

export function seriesColor(i: number): string {
  return CHART_COLORS[((i % CHART_COLORS.length) + CHART_COLORS.length) % CHART_COLORS.length]!;
}

/** Props shared by every recharts axis. */
export const AXIS_PROPS = { stroke: 'var(--chart-axis)', fontSize: 11, tickLine: false } as const;
export const GRID_STROKE = 'var(--chart-grid)';

/** Tooltip box, as recharts wants it (an object prop of the library, not a React style). */
export const TOOLTIP_CONTENT = {
  background: 'var(--panel)',
  border: '1px solid var(--border)',
  borderRadius: 6,
  fontSize: 12,
} as const;
export const LEGEND_WRAPPER = { fontSize: 11 } as const;
/** A legend under an x-axis title: pushed down clear of the title, which sits below the ticks. */
export const LEGEND_WRAPPER_UNDER_TITLE = { ...LEGEND_WRAPPER, paddingTop: 12 } as const;
