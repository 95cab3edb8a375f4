'use client';

import { CHART_TONE, seriesColor, TimeSeriesChart } from '~/components/charts';
import { Badge, Card, EmptyState } from '~/components/ui';
import type { ScorePoint } from './use-live-run';

/**
 * The anomaly-score lane of the live view: each served model's score of the selected vehicle's
 * windows, with its threshold; a score above the line counts towards an alert.
 */
export function AnomalyChart({ scores, alerts }: { scores: Map<string, ScorePoint[]>; alerts: number }) {
  const models = [...scores.keys()].sort();
  // One row per window end, a column per model, for recharts.
  const rows = new Map<number, Record<string, number>>();
  for (const m of models)
    for (const p of scores.get(m)!) rows.set(p.t, { ...(rows.get(p.t) ?? { t: p.t }), [m]: p.score });
  const data = [...rows.values()].sort((a, b) => a.t! - b.t!);
  const first = models[0] ? scores.get(models[0])!.at(-1) : undefined;
  const threshold = first?.threshold ?? null;
  const crossing = first && threshold !== null && first.score > threshold;
  return (
    <Card
      className="chart-card mt-3"
      data-testid="chart-anomaly"
      data-last-score={first ? first.score.toFixed(4) : ''}
      data-points={data.length}
    >
      <div className="chart-head">
        <strong>Anomaly score</strong>
        <span className="toolbar">
          {models.length > 0 && first && (
            <span className="muted num">
              {first.model} v{first.version}: {first.score.toFixed(3)}
              {threshold !== null ? ` / threshold ${threshold.toFixed(3)}` : ''}
            </span>
          )}
          <Badge tone={alerts > 0 ? 'bad' : crossing ? 'wait' : 'ok'} data-testid="live-alert-count">
            {alerts === 0 ? 'No alerts' : `${alerts} alert${alerts === 1 ? '' : 's'}`}
          </Badge>
        </span>
      </div>
      {models.length === 0 ? (
        <EmptyState compact>
          No model scores this vehicle yet. Scores appear once a model is deployed as <code>production</code> and the
          inference worker runs.
        </EmptyState>
      ) : (
        <TimeSeriesChart
          data={data}
          x="t"
          xUnit="s"
          yScale="log"
          curve="stepAfter"
          series={models.map((m, i) => ({ key: m, name: m, color: i === 0 ? CHART_TONE.orange : seriesColor(i - 1) }))}
          tooltipLabel={(t) => `window ending ${t.toFixed(1)} s`}
          referenceLines={threshold !== null ? [{ y: threshold, label: 'threshold', color: CHART_TONE.bad }] : []}
        />
      )}
    </Card>
  );
}
