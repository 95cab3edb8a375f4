import { Fragment } from 'react';
import { axisScale, axisTicks } from './parallel-scale';
import { formatValue } from './ticks';

export interface ParallelAxis {
  key: string;
  label: string;
}

export interface ParallelLine {
  id: string;
  name: string;
  color: string;
  values: Record<string, unknown>;
}

export interface ParallelCoordinatesProps {
  /** Axes left to right: usually the hyper-parameters, then the metric being optimised. */
  axes: readonly ParallelAxis[];
  /** One line per run. */
  lines: readonly ParallelLine[];
  height?: number;
  testId?: string;
}

const AXIS_GAP = 150;
const PAD_X = 70;
const PAD_TOP = 34;
const PAD_BOTTOM = 26;

/**
 * Parallel coordinates (as in MLflow's hyper-parameter view): one vertical axis per parameter or
 * metric and one line per run through its values, so the settings that lead to a good metric
 * line up. SVG of our own (recharts has none); colours are attributes, never inline styles.
 */
export function ParallelCoordinates({ axes, lines, height = 260, testId }: ParallelCoordinatesProps) {
  const width = PAD_X * 2 + Math.max(1, axes.length - 1) * AXIS_GAP;
  const plotH = height - PAD_TOP - PAD_BOTTOM;
  const scales = axes.map((a) => axisScale(lines.map((l) => l.values[a.key])));
  const x = (i: number) => PAD_X + i * AXIS_GAP;
  const y = (t: number) => PAD_TOP + (1 - t) * plotH;
  const format = (n: number) => formatValue(n);
  return (
    <div className="parallel" data-testid={testId} data-axes={axes.length} data-lines={lines.length}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={`Parallel coordinates of ${lines.length} runs over ${axes.map((a) => a.label).join(', ')}`}
      >
        {axes.map((a, i) => (
          <g key={a.key} data-axis={a.key}>
            <line className="parallel-axis" x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} />
            <text className="parallel-title" x={x(i)} y={PAD_TOP - 16} textAnchor="middle">
              {a.label}
              {scales[i]!.kind === 'log' ? ' (log)' : ''}
            </text>
            {axisTicks(scales[i]!, format).map((t) => (
              <text
                key={`${t.label}-${t.at}`}
                className="parallel-tick"
                x={x(i) - 6}
                y={y(t.at)}
                textAnchor="end"
                dominantBaseline="central"
              >
                {t.label}
              </text>
            ))}
          </g>
        ))}
        {lines.map((l) => {
          const pts = axes.flatMap((a, i) => {
            const t = scales[i]!.at(l.values[a.key]);
            return t === null ? [] : [`${x(i)},${y(t)}`];
          });
          return (
            <Fragment key={l.id}>
              <polyline className="parallel-line" points={pts.join(' ')} stroke={l.color} data-run={l.id}>
                <title>
                  {`${l.name}: ${axes.map((a) => `${a.label} ${String(l.values[a.key] ?? '—')}`).join(' · ')}`}
                </title>
              </polyline>
            </Fragment>
          );
        })}
      </svg>
    </div>
  );
}
