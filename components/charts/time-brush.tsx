'use client';

import { useMemo } from 'react';
import { Brush, Line, LineChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { CHART_TONE } from './theme';
import type { ChartRow } from './time-series-chart';

export interface TimeBrushProps<T extends object> {
  /** Rows sorted by `x`. */
  data: readonly T[];
  x: keyof T & string;
  /** The line drawn behind the handles, so the range is picked by what happened. */
  y: keyof T & string;
  /** The selected x range; null is everything. */
  onRange: (range: [number, number] | null) => void;
  height?: number;
  /** Changing it puts the handles back to the whole range. */
  resetKey?: number;
}

/**
 * A small overview line with two handles: dragging them picks the x range every chart sharing
 * the range show. The whole range reports null, so "everything" keeps following new data. The
 * handles keep their own place while dragged (recharts resets a controlled brush mid-drag); a new
 * `resetKey` puts them back to the whole range.
 */
export function TimeBrush<T extends object>({ data, x, y, onRange, resetKey, height = 64 }: TimeBrushProps<T>) {
  // One array per data: a new one on every render would reset recharts' brush in mid-drag.
  const rows = useMemo(() => [...(data as readonly ChartRow[])], [data]);
  if (data.length < 2) return null;
  const last = data.length - 1;
  const key: string = x;
  const yKey: string = y;
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={rows} margin={{ top: 2, right: 12, bottom: 0, left: 12 }}>
        <XAxis dataKey={key} type="number" domain={['dataMin', 'dataMax']} hide />
        <YAxis hide domain={['dataMin', 'dataMax']} />
        <Line dataKey={yKey} dot={false} isAnimationActive={false} stroke={CHART_TONE.muted} strokeWidth={1.2} />
        <Brush
          dataKey={key}
          height={24}
          travellerWidth={10}
          key={resetKey}
          stroke="var(--accent)"
          fill="var(--panel)"
          tickFormatter={(v) => `${Number(v).toFixed(0)} s`}
          onChange={(r) => {
            const s = r.startIndex;
            const e = r.endIndex;
            if (s <= 0 && e >= last) onRange(null);
            else onRange([Number(data[s]![x]), Number(data[e]![x])]);
          }}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
