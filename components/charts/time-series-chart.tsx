'use client';

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  AXIS_PROPS,
  GRID_STROKE,
  LEGEND_WRAPPER,
  LEGEND_WRAPPER_UNDER_TITLE,
  TOOLTIP_CONTENT,
  seriesColor,
} from './theme';
import { labelledMarkers } from './markers';
import { extent, formatTick, formatValue, logTicks, niceTicks, type AxisTicks } from './ticks';

/** One line of a chart: `key` is the column in each row. */
export interface ChartSeries {
  key: string;
  name: string;
  /** A token colour (CHART_TONE / seriesColor); defaults to the palette by position. */
  color?: string;
  dashed?: boolean;
}

export interface ReferenceLineSpec {
  y: number;
  label?: string;
  color?: string;
}

export interface MarkSpec {
  x: number;
  y: number;
  color?: string;
}

/** A vertical marker at an x value: an event, a fault onset, an alert. */
export interface XMarkerSpec {
  x: number;
  label: string;
  color?: string;
}

export type ChartRow = Record<string, number | string | null | undefined>;

export interface TimeSeriesChartProps<T extends object = ChartRow> {
  /** Rows sorted by `x`; missing or null values leave gaps. */
  data: readonly T[];
  /** Column holding the x value (seconds, epoch number, version…). */
  x: keyof T & string;
  series: readonly ChartSeries[];
  /** Unit after x tick labels ("s" prints "90 s"). */
  xUnit?: string;
  /** Unit of y, shown on the y axis and in the tooltip. */
  yUnit?: string;
  /** Custom x label (e.g. `v${n}` or clock time); gets the tick value. */
  xFormat?: (v: number) => string;
  /** Custom tooltip heading for an x value. */
  tooltipLabel?: (x: number) => string;
  /** Caption under the x axis ("epoch"). */
  xLabel?: string;
  /** Whole-number x ticks (epochs, versions). */
  integerX?: boolean;
  /** 'tight' keeps x at the data range (moving windows); 'nice' widens to round ticks. */
  xDomain?: 'tight' | 'nice';
  yScale?: 'linear' | 'log';
  /** Force 0 into the y range (latencies, counts). */
  yFromZero?: boolean;
  height?: number;
  legend?: boolean;
  curve?: 'monotone' | 'stepAfter' | 'linear';
  dots?: boolean;
  connectNulls?: boolean;
  referenceLines?: readonly ReferenceLineSpec[];
  marks?: readonly MarkSpec[];
  /** Vertical markers (events, faults, alerts); ones outside the x range are not drawn. */
  xMarkers?: readonly XMarkerSpec[];
}

function yAxisTicks<T extends object>(props: TimeSeriesChartProps<T>): AxisTicks {
  const keys = props.series.map((s) => s.key);
  const log = props.yScale === 'log';
  const values = extent(props.data, keys, log);
  const refs = (props.referenceLines ?? []).map((r) => r.y).filter((y) => !log || y > 0);
  let [lo, hi] = values ?? (refs.length ? [refs[0]!, refs[0]!] : [0, 1]);
  for (const r of refs) [lo, hi] = [Math.min(lo, r), Math.max(hi, r)];
  if (props.yFromZero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
  return log ? logTicks(lo, hi) : niceTicks(lo, hi, { target: 4 });
}

/**
 * A line chart over a numeric x (time, epoch, version) with units and tick labels that never
 * repeat. Animation is off: points stream in live.
 */
export function TimeSeriesChart<T extends object>(props: TimeSeriesChartProps<T>) {
  const { data, x, series, height = 150, curve = 'monotone' } = props;
  const xKey: string = x;
  const xs = extent(data, [xKey]) ?? [0, 1];
  const xAxis = niceTicks(xs[0], xs[1], {
    target: 6,
    integer: props.integerX,
    tight: (props.xDomain ?? 'tight') === 'tight',
  });
  const yAxis = yAxisTicks(props);
  const xLabel = (v: number) => (props.xFormat ? props.xFormat(v) : formatTick(xAxis, v, props.xUnit));
  const showLegend = props.legend ?? series.length > 1;
  const markers = (props.xMarkers ?? []).filter((m) => m.x >= xAxis.domain[0] && m.x <= xAxis.domain[1]);
  const labelled = labelledMarkers(markers, xAxis.domain);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={[...data]} margin={{ top: 6, right: 12, bottom: props.xLabel ? 12 : 0, left: 0 }}>
        <CartesianGrid stroke={GRID_STROKE} />
        <XAxis
          dataKey={xKey}
          type="number"
          domain={xAxis.domain}
          ticks={xAxis.ticks}
          allowDecimals={!props.integerX}
          tickFormatter={xLabel}
          label={
            props.xLabel
              ? { value: props.xLabel, position: 'insideBottom', offset: -8, fill: 'var(--muted)', fontSize: 11 }
              : undefined
          }
          {...AXIS_PROPS}
        />
        <YAxis
          scale={props.yScale === 'log' ? 'log' : 'auto'}
          domain={yAxis.domain}
          ticks={yAxis.ticks}
          allowDataOverflow
          width={props.yUnit ? 64 : 56}
          tickFormatter={(v: number) => formatTick(yAxis, v)}
          label={
            props.yUnit
              ? {
                  value: props.yUnit,
                  angle: -90,
                  position: 'insideLeft',
                  offset: 6,
                  fill: 'var(--muted)',
                  fontSize: 11,
                  className: 'chart-y-unit',
                }
              : undefined
          }
          {...AXIS_PROPS}
        />
        <Tooltip
          contentStyle={TOOLTIP_CONTENT}
          labelFormatter={(v) => (props.tooltipLabel ? props.tooltipLabel(Number(v)) : xLabel(Number(v)))}
          formatter={(v) => formatValue(typeof v === 'number' ? v : Number(v), props.yUnit)}
        />
        {/* In the order the series are given (recharts sorts by name): first is the main line. */}
        {showLegend && (
          <Legend wrapperStyle={props.xLabel ? LEGEND_WRAPPER_UNDER_TITLE : LEGEND_WRAPPER} itemSorter={null} />
        )}
        {props.referenceLines?.map((r) => (
          <ReferenceLine
            key={`${r.y}-${r.label ?? ''}`}
            y={r.y}
            stroke={r.color ?? 'var(--bad)'}
            strokeDasharray="4 3"
            label={
              r.label
                ? { value: r.label, fill: r.color ?? 'var(--bad)', fontSize: 10, position: 'insideTopLeft' }
                : undefined
            }
          />
        ))}
        {markers.map((m, i) => (
          <ReferenceLine
            key={`x-${m.x}-${m.label}`}
            x={m.x}
            stroke={m.color ?? 'var(--warn)'}
            strokeDasharray="3 3"
            label={
              labelled.has(i)
                ? { value: m.label, fill: m.color ?? 'var(--warn)', fontSize: 10, position: 'insideTopRight' }
                : undefined
            }
          />
        ))}
        {series.map((s, i) => (
          <Line
            key={s.key}
            type={curve}
            dataKey={s.key}
            name={s.name}
            stroke={s.color ?? seriesColor(i)}
            strokeDasharray={s.dashed ? '5 4' : undefined}
            dot={props.dots ? { r: 3, fill: s.color ?? seriesColor(i) } : false}
            isAnimationActive={false}
            connectNulls={props.connectNulls ?? false}
            strokeWidth={1.8}
          />
        ))}
        {props.marks?.map((m) => (
          <ReferenceDot
            key={`${m.x}-${m.y}`}
            x={m.x}
            y={m.y}
            r={7}
            fill="none"
            stroke={m.color ?? 'var(--ok)'}
            strokeWidth={2}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
