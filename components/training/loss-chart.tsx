'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const AXIS = { stroke: '#8b98a5', fontSize: 11 };
export const SERIES_COLORS = ['#4f9dff', '#3fb950', '#d29922', '#f85149', '#a371f7', '#db61a2', '#39c5cf', '#e3b341'];

export interface CurveSeries {
  key: string;
  name: string;
  color: string;
  dashed?: boolean;
}

/** Loss curves by epoch; rows are { epoch, [series key]: value }. No animation: points stream in. */
export function LossChart({
  rows,
  series,
  height = 260,
  testId,
}: {
  rows: Record<string, number | null>[];
  series: CurveSeries[];
  height?: number;
  testId?: string;
}) {
  return (
    <div style={{ height }} data-testid={testId} data-points={rows.length}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#1f2933" />
          <XAxis
            dataKey="epoch"
            type="number"
            domain={[1, 'dataMax']}
            allowDecimals={false}
            {...AXIS}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fill: '#8b98a5', fontSize: 11 }}
          />
          <YAxis
            domain={['auto', 'auto']}
            {...AXIS}
            width={60}
            tickFormatter={(v: number) =>
              Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3)
            }
          />
          <Tooltip
            contentStyle={{ background: '#171e26', border: '1px solid #2a3542', fontSize: 12 }}
            labelFormatter={(v) => `epoch ${v}`}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(5) : String(v))}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {series.map((s) => (
            <Line
              key={s.key}
              type="monotone"
              dataKey={s.key}
              name={s.name}
              stroke={s.color}
              strokeDasharray={s.dashed ? '5 4' : undefined}
              dot={rows.length < 30}
              isAnimationActive={false}
              connectNulls
              strokeWidth={1.8}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
