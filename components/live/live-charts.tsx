'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from './use-live-run';

const AXIS = { stroke: '#8b98a5', fontSize: 11 };

function Chart({
  title,
  data,
  lines,
  unit,
  testId,
}: {
  title: string;
  data: SeriesPoint[];
  lines: { key: keyof SeriesPoint; name: string; color: string }[];
  unit: string;
  testId: string;
}) {
  const last = data[data.length - 1];
  return (
    <div
      className="card"
      style={{ padding: '12px 14px' }}
      data-testid={testId}
      data-last-t={last ? last.t.toFixed(2) : ''}
      data-last-value={last ? String(last[lines[0]!.key] ?? '') : ''}
    >
      <div className="toolbar" style={{ justifyContent: 'space-between', fontSize: 13, marginBottom: 6 }}>
        <strong>{title}</strong>
        <span className="muted" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {last
            ? lines.map((l) => (typeof last[l.key] === 'number' ? (last[l.key] as number).toFixed(1) : '—')).join(' / ')
            : '—'}{' '}
          {unit}
        </span>
      </div>
      <div style={{ height: 150 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#1f2933" />
            <XAxis
              dataKey="t"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(v: number) => `${v.toFixed(0)}s`}
              {...AXIS}
            />
            <YAxis
              domain={['auto', 'auto']}
              {...AXIS}
              width={52}
              tickFormatter={(v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))}
            />
            <Tooltip
              contentStyle={{ background: '#171e26', border: '1px solid #2a3542', fontSize: 12 }}
              labelFormatter={(v) => `t = ${Number(v).toFixed(2)} s`}
            />
            {lines.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
            {lines.map((l) => (
              <Line
                key={l.key}
                type="monotone"
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
                strokeWidth={1.6}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

export function LiveCharts({ series }: { series: SeriesPoint[] }) {
  return (
    <div style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(360px, 1fr))' }}>
      <Chart
        title="Speed"
        testId="chart-speed"
        unit="m/s"
        data={series}
        lines={[{ key: 'speed', name: 'speed', color: '#4f9dff' }]}
      />
      <Chart
        title="Acceleration"
        testId="chart-accel"
        unit="m/s²"
        data={series}
        lines={[
          { key: 'accelLon', name: 'longitudinal', color: '#3fb950' },
          { key: 'accelLat', name: 'lateral', color: '#d29922' },
        ]}
      />
      <Chart
        title="Engine temperature"
        testId="chart-engine"
        unit="°C"
        data={series}
        lines={[{ key: 'engineTemp', name: 'engine', color: '#f85149' }]}
      />
      <Chart
        title="Brake pressure"
        testId="chart-brake"
        unit="bar"
        data={series}
        lines={[{ key: 'brake', name: 'brake', color: '#a371f7' }]}
      />
      <Chart
        title="Tyre pressures"
        testId="chart-tyres"
        unit="kPa"
        data={series}
        lines={[
          { key: 'fl', name: 'FL', color: '#4f9dff' },
          { key: 'fr', name: 'FR', color: '#3fb950' },
          { key: 'rl', name: 'RL', color: '#d29922' },
          { key: 'rr', name: 'RR', color: '#f85149' },
        ]}
      />
      <Chart
        title="Battery temperature"
        testId="chart-battery"
        unit="°C"
        data={series}
        lines={[{ key: 'batteryTemp', name: 'battery', color: '#db61a2' }]}
      />
    </div>
  );
}
