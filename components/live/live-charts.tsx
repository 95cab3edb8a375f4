'use client';

import { CHART_TONE, formatValue, TimeSeriesChart, type ChartSeries } from '~/components/charts';
import type { SeriesPoint } from './use-live-run';
import { Card } from '~/components/ui';

type Lane = { title: string; testId: string; unit: string; lines: (ChartSeries & { key: keyof SeriesPoint })[] };

/** The telemetry lanes of the live view, one small chart each. */
const LANES: Lane[] = [
  {
    title: 'Speed',
    testId: 'chart-speed',
    unit: 'm/s',
    lines: [{ key: 'speed', name: 'speed', color: CHART_TONE.accent }],
  },
  {
    title: 'Acceleration',
    testId: 'chart-accel',
    unit: 'm/s²',
    lines: [
      { key: 'accelLon', name: 'longitudinal', color: CHART_TONE.ok },
      { key: 'accelLat', name: 'lateral', color: CHART_TONE.warn },
    ],
  },
  {
    title: 'Engine temperature',
    testId: 'chart-engine',
    unit: '°C',
    lines: [{ key: 'engineTemp', name: 'engine', color: CHART_TONE.bad }],
  },
  {
    title: 'Brake pressure',
    testId: 'chart-brake',
    unit: 'bar',
    lines: [{ key: 'brake', name: 'brake', color: CHART_TONE.purple }],
  },
  {
    title: 'Tyre pressures',
    testId: 'chart-tyres',
    unit: 'kPa',
    lines: [
      { key: 'fl', name: 'FL', color: CHART_TONE.accent },
      { key: 'fr', name: 'FR', color: CHART_TONE.ok },
      { key: 'rl', name: 'RL', color: CHART_TONE.warn },
      { key: 'rr', name: 'RR', color: CHART_TONE.bad },
    ],
  },
  {
    title: 'Battery temperature',
    testId: 'chart-battery',
    unit: '°C',
    lines: [{ key: 'batteryTemp', name: 'battery', color: CHART_TONE.pink }],
  },
];

function Chart({ lane, data }: { lane: Lane; data: SeriesPoint[] }) {
  const last = data[data.length - 1];
  const { lines } = lane;
  return (
    <Card
      className="chart-card"
      data-testid={lane.testId}
      data-last-t={last ? last.t.toFixed(2) : ''}
      data-last-value={last ? String(last[lines[0]!.key] ?? '') : ''}
    >
      <div className="chart-head">
        <strong>{lane.title}</strong>
        <span className="muted num">
          {last ? lines.map((l) => formatValue(last[l.key])).join(' / ') : '—'} {lane.unit}
        </span>
      </div>
      <TimeSeriesChart
        data={data}
        x="t"
        xUnit="s"
        yUnit={lane.unit}
        series={lines}
        tooltipLabel={(t) => `t = ${t.toFixed(2)} s`}
      />
    </Card>
  );
}

export function LiveCharts({ series }: { series: SeriesPoint[] }) {
  return (
    <div className="chart-grid">
      {LANES.map((lane) => (
        <Chart key={lane.testId} lane={lane} data={series} />
      ))}
    </div>
  );
}
