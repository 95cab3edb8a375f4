/**
 * Charts of the portal, on recharts (SVG heatmap of our own). Use these rather than recharts
 * directly so every chart shares the token colours, axis styling and tick formatting.
 */
export { TimeSeriesChart } from './time-series-chart';
export type {
  ChartRow,
  ChartSeries,
  MarkSpec,
  ReferenceLineSpec,
  TimeSeriesChartProps,
  XMarkerSpec,
} from './time-series-chart';
export { TimeBrush } from './time-brush';
export type { TimeBrushProps } from './time-brush';
export { Histogram } from './histogram';
export type { HistogramProps } from './histogram';
export { Heatmap } from './heatmap';
export { ParallelCoordinates } from './parallel-coordinates';
export type { ParallelAxis, ParallelCoordinatesProps, ParallelLine } from './parallel-coordinates';
export { axisScale } from './parallel-scale';
export type { HeatmapProps } from './heatmap';
export { CHART_COLORS, CHART_TONE, seriesColor } from './theme';
export { formatFixed, formatTick, formatValue, niceTicks } from './ticks';
export { Swatch } from './swatch';
export { downsampleMinMax } from './downsample';
