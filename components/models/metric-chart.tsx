'use client';

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis, ReferenceDot } from 'recharts';
import { formatMetric } from './format';
import type { AliasRow, ModelVersionRow } from './types';

const AXIS = { stroke: '#8b98a5', fontSize: 11 };

/** One metric across versions, oldest first, with the versions that aliases point at marked. */
export function MetricChart({
  versions,
  aliases,
  metric,
}: {
  versions: ModelVersionRow[];
  aliases: AliasRow[];
  metric: string;
}) {
  const data = [...versions]
    .sort((a, b) => a.version - b.version)
    .map((v) => ({ version: v.version, value: v.metrics[metric] ?? null }));
  const production = aliases.find((a) => a.name === 'production');
  const prodPoint = production ? data.find((d) => d.version === production.version) : undefined;
  return (
    <div
      style={{ height: 220 }}
      data-testid="metric-chart"
      data-metric={metric}
      data-points={data.filter((d) => d.value !== null).length}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#1f2933" />
          <XAxis
            dataKey="version"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            tickFormatter={(v: number) => `v${v}`}
            {...AXIS}
          />
          <YAxis domain={['auto', 'auto']} {...AXIS} width={56} tickFormatter={(v: number) => formatMetric(v)} />
          <Tooltip
            contentStyle={{ background: '#171e26', border: '1px solid #2a3542', fontSize: 12 }}
            labelFormatter={(v) => `version ${String(v)}`}
            formatter={(v) => [formatMetric(Number(v)), metric]}
          />
          <Line
            type="monotone"
            dataKey="value"
            name={metric}
            stroke="#4f9dff"
            strokeWidth={2}
            dot={{ r: 3.5, fill: '#4f9dff' }}
            isAnimationActive={false}
            connectNulls
          />
          {prodPoint && prodPoint.value !== null && (
            <ReferenceDot
              x={prodPoint.version}
              y={prodPoint.value}
              r={7}
              fill="none"
              stroke="#3fb950"
              strokeWidth={2}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
