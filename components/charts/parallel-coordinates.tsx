'use client';

import { Fragment, useRef } from 'react';
import { axisScale, axisTicks } from './parallel-scale';
import { formatValue } from './ticks';
import { displayValue } from '~/components/ui/format';
import { useMeasured } from '~/components/ui/use-measured';

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

/** Least room between two axes; wider cards spread the axes over their width. */
const MIN_AXIS_GAP = 150;
const PAD_X = 70;
const PAD_TOP = 44;
const PAD_BOTTOM = 26;

/**
 * Parallel coordinates (as in MLflow's hyper-parameter view): one vertical axis per parameter or
 * metric and one line per run through its values, so the settings that lead to a good metric
 * line up. SVG of our own (recharts has none); colours are attributes, never inline styles.
 */
export function ParallelCoordinates({ axes, lines, height = 260, testId }: ParallelCoordinatesProps) {
  const box = useRef<HTMLDivElement>(null);
  const room = useMeasured(box, contentWidth, 0);
  const gaps = Math.max(1, axes.length - 1);
  // Fill the card when it is wide; on a phone keep the least gap and scroll sideways instead.
  const gap = Math.max(MIN_AXIS_GAP, (room - PAD_X * 2) / gaps);
  const width = PAD_X * 2 + gaps * gap;
  const plotH = height - PAD_TOP - PAD_BOTTOM;
  const scales = axes.map((a) => axisScale(lines.map((l) => l.values[a.key])));
  const x = (i: number) => PAD_X + i * gap;
  const y = (t: number) => PAD_TOP + (1 - t) * plotH;
  // The ends' labels sit just beyond the axis, clear of the lines that meet it at its top and bottom.
  const tickY = (t: number) =>
    t === 1
      ? { y: y(1) - 6, dominantBaseline: 'auto' as const }
      : t === 0
        ? { y: y(0) + 6, dominantBaseline: 'hanging' as const }
        : { y: y(t), dominantBaseline: 'central' as const };
  return (
    <div
      ref={box}
      className="parallel"
      data-testid={testId}
      data-axes={axes.length}
      data-lines={lines.length}
      // Wider than its card (a phone): focusable, so a keyboard can scroll it sideways.
      {...(width > room + 1
        ? { tabIndex: 0, role: 'group', 'aria-label': 'Parallel coordinates, scrolls sideways' }
        : {})}
    >
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={`Parallel coordinates of ${lines.length} runs over ${axes.map((a) => a.label).join(', ')}`}
      >
        {/* Lines first, so the axes and their labels are drawn over them and stay legible. */}
        {lines.map((l) => {
          const pts = axes.flatMap((a, i) => {
            const t = scales[i]!.at(l.values[a.key]);
            return t === null ? [] : [`${x(i)},${y(t)}`];
          });
          return (
            <Fragment key={l.id}>
              <polyline className="parallel-line" points={pts.join(' ')} stroke={l.color} data-run={l.id}>
                <title>
                  {`${l.name}: ${axes.map((a) => `${a.label} ${displayValue(l.values[a.key], '—')}`).join(' · ')}`}
                </title>
              </polyline>
            </Fragment>
          );
        })}
        {axes.map((a, i) => (
          <g key={a.key} data-axis={a.key}>
            <line className="parallel-axis" x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} />
            <text className="parallel-title" x={x(i)} y={PAD_TOP - 26} textAnchor="middle">
              {a.label}
              {scales[i]!.kind === 'log' ? ' (log)' : ''}
            </text>
            {axisTicks(scales[i]!, tickLabel).map((t) => (
              <text key={`${t.label}-${t.at}`} className="parallel-tick" x={x(i) - 6} {...tickY(t.at)} textAnchor="end">
                {t.label}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}

/** Short tick labels: 0.1 and 0.001 on a learning-rate axis, not 0.100 and 0.0010. */
function tickLabel(n: number): string {
  return n !== 0 && Math.abs(n) < 1 ? String(Number(n.toPrecision(3))) : formatValue(n);
}

/** The element's content width (0 until it is measured). */
const contentWidth = (el: Element) => el.clientWidth;
