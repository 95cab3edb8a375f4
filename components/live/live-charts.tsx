'use client';

import { memo, useMemo, useState } from 'react';
import {
  CHART_TONE,
  downsampleMinMax,
  TimeBrush,
  TimeSeriesChart,
  type ChartSeries,
  type XMarkerSpec,
} from '~/components/charts';
import { laneHeadline } from './lane-headline';
import type { SeriesPoint } from './use-live-run';
import { Button, Card } from '~/components/ui';

/** Points drawn per chart: minutes of history plus 60 s of 20 Hz frames would be thousands. */
const MAX_DRAWN = 300;

type NumericKey = Exclude<keyof SeriesPoint, 't' | 'worstWheel'>;
type Lane = {
  title: string;
  testId: string;
  unit: string;
  lines: (ChartSeries & { key: NumericKey })[];
  /** What the header says besides the named latest values (tyres: the worst wheel). */
  note?: (last: SeriesPoint) => string | null;
};

/** The telemetry lanes of the live view and replay, one small chart each. */
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
    // Four wheels at 20 Hz are a tangle: the spread (lowest and highest wheel) tells the story,
    // and the header names the wheel that is lowest now.
    title: 'Tyre pressures',
    testId: 'chart-tyres',
    unit: 'kPa',
    lines: [
      { key: 'tyreMin', name: 'lowest wheel', color: CHART_TONE.bad },
      { key: 'tyreMax', name: 'highest wheel', color: CHART_TONE.muted, dashed: true },
    ],
    note: (last) => (last.worstWheel ? `worst wheel ${last.worstWheel}` : null),
  },
  {
    title: 'Battery temperature',
    testId: 'chart-battery',
    unit: '°C',
    lines: [{ key: 'batteryTemp', name: 'battery', color: CHART_TONE.pink }],
  },
];

/** Markers are rebuilt on every poll of the run: equal contents must not redraw a chart. */
function sameMarkers(a?: readonly XMarkerSpec[], b?: readonly XMarkerSpec[]): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((m, i) => m.x === b[i]!.x && m.label === b[i]!.label && m.color === b[i]!.color);
}

// Memoised: while paused the frozen series keeps its identity, so the charts are not redrawn.
const Chart = memo(
  function Chart({ lane, data, markers }: { lane: Lane; data: SeriesPoint[]; markers?: readonly XMarkerSpec[] }) {
    const last = data[data.length - 1];
    const first = data[0];
    const { lines } = lane;
    const note = last && lane.note?.(last);
    const drawn = useMemo(
      () =>
        downsampleMinMax(
          data,
          lines.map((l) => l.key),
          MAX_DRAWN,
        ),
      [data, lines],
    );
    return (
      <Card
        className="chart-card"
        data-testid={lane.testId}
        data-first-t={first ? first.t.toFixed(2) : ''}
        data-last-t={last ? last.t.toFixed(2) : ''}
        data-last-value={last ? String(last[lines[0]!.key] ?? '') : ''}
      >
        <div className="chart-head">
          <strong>
            {lane.title} <span className="muted">({lane.unit})</span>
          </strong>
          <span className="muted num" data-testid="chart-values">
            {laneHeadline(lines, last, lane.unit, note)}
          </span>
        </div>
        <TimeSeriesChart
          data={drawn}
          x="t"
          xUnit="s"
          yUnit={lane.unit}
          series={lines}
          legend={lines.length > 1}
          xMarkers={markers}
          tooltipLabel={(t) => `t = ${t.toFixed(2)} s`}
        />
      </Card>
    );
  },
  (a, b) => a.lane === b.lane && a.data === b.data && sameMarkers(a.markers, b.markers),
);

/** Rows of the brush's overview line: enough to pick a range by eye. */
const BRUSH_POINTS = 200;

/**
 * The charts of one vehicle; `markers` (events, faults, alerts) are drawn on every chart. One time
 * range for all of them: the brush above picks it, every chart shows it.
 */
export function LiveCharts({ series, markers }: { series: SeriesPoint[]; markers?: readonly XMarkerSpec[] }) {
  const [range, setRange] = useState<[number, number] | null>(null);
  const [resets, setResets] = useState(0);
  const visible = useMemo(
    () => (range ? series.filter((p) => p.t >= range[0] && p.t <= range[1]) : series),
    [series, range],
  );
  const overview = useMemo(() => downsampleMinMax(series, ['speed'], BRUSH_POINTS), [series]);
  return (
    <div>
      <Card
        className="chart-card mb-3"
        data-testid="chart-zoom"
        data-range={range ? `${range[0].toFixed(2)} ${range[1].toFixed(2)}` : ''}
      >
        <div className="chart-head">
          <strong>
            Time range <span className="muted">(drag the handles: every chart follows)</span>
          </strong>
          {range && (
            <Button
              size="sm"
              onClick={() => {
                setRange(null);
                setResets((n) => n + 1);
              }}
            >
              Show all
            </Button>
          )}
        </div>
        <TimeBrush data={overview} x="t" y="speed" onRange={setRange} resetKey={resets} />
      </Card>
      <div className="chart-grid">
        {LANES.map((lane) => (
          <Chart key={lane.testId} lane={lane} data={visible} markers={markers} />
        ))}
      </div>
    </div>
  );
}
