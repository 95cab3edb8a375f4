'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_PROPS, GRID_STROKE, LEGEND_WRAPPER, TOOLTIP_CONTENT, seriesColor } from './theme';
import { extent, formatTick, formatValue, niceTicks } from './ticks';
import type { ChartSeries } from './time-series-chart';

export interface HistogramProps {
  /** One row per bin: `{ [binKey]: label, [series.key]: value }`. */
  bins: readonly Record<string, string | number | null>[];
  /** Column holding each bin's label ("≤ 1 ms"). */
  binKey: string;
  series: readonly ChartSeries[];
  /** Unit of the bar values ("%" prints "25%"). */
  unit?: string;
  height?: number;
}

/** Bars per bin, one colour per series (baseline vs canary); y starts at zero. */
export function Histogram({ bins, binKey, series, unit, height = 180 }: HistogramProps) {
  const [, hi] = extent(
    bins,
    series.map((s) => s.key),
  ) ?? [0, 1];
  const y = niceTicks(0, hi, { target: 4 });
  const label = (v: number, text: string) => (unit === '%' ? `${text}%` : unit ? `${text} ${unit}` : text);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={bins} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={GRID_STROKE} />
        <XAxis dataKey={binKey} {...AXIS_PROPS} />
        <YAxis
          domain={y.domain}
          ticks={y.ticks}
          width={48}
          tickFormatter={(v: number) => label(v, formatTick(y, v))}
          {...AXIS_PROPS}
        />
        <Tooltip
          contentStyle={TOOLTIP_CONTENT}
          cursor={{ fill: 'var(--panel-2)' }}
          formatter={(v) => label(Number(v), formatValue(Number(v)))}
        />
        {series.length > 1 && <Legend wrapperStyle={LEGEND_WRAPPER} />}
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color ?? seriesColor(i)} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
