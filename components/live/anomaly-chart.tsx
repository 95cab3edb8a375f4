'use client';

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ScorePoint } from './use-live-run';

const AXIS = { stroke: '#8b98a5', fontSize: 11 };
const COLORS = ['#f0883e', '#4f9dff', '#3fb950', '#db61a2'];

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
    <div
      className="card"
      style={{ padding: '12px 14px', marginTop: 12 }}
      data-testid="chart-anomaly"
      data-last-score={first ? first.score.toFixed(4) : ''}
      data-points={data.length}
    >
      <div className="toolbar" style={{ justifyContent: 'space-between', fontSize: 13, marginBottom: 6 }}>
        <strong>Anomaly score</strong>
        <span className="toolbar" style={{ gap: 10 }}>
          {models.length > 0 && first && (
            <span className="muted" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {first.model} v{first.version}: {first.score.toFixed(3)}
              {threshold !== null ? ` / threshold ${threshold.toFixed(3)}` : ''}
            </span>
          )}
          <span
            className={`badge ${alerts > 0 ? 'badge-bad' : crossing ? 'badge-wait' : 'badge-ok'}`}
            data-testid="live-alert-count"
          >
            {alerts === 0 ? 'No alerts' : `${alerts} alert${alerts === 1 ? '' : 's'}`}
          </span>
        </span>
      </div>
      {models.length === 0 ? (
        <div className="empty" style={{ padding: '24px 0' }}>
          No model scores this vehicle yet. Scores appear once a model is deployed as <code>production</code> and the
          inference worker runs.
        </div>
      ) : (
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
                scale="log"
                domain={['auto', 'auto']}
                allowDataOverflow
                {...AXIS}
                width={52}
                tickFormatter={(v: number) => (v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(2) : v.toExponential(0))}
              />
              <Tooltip
                contentStyle={{ background: '#171e26', border: '1px solid #2a3542', fontSize: 12 }}
                labelFormatter={(v) => `window ending ${Number(v).toFixed(1)} s`}
                formatter={(v) => Number(v).toFixed(4)}
              />
              {models.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
              {threshold !== null && (
                <ReferenceLine
                  y={threshold}
                  stroke="#f85149"
                  strokeDasharray="4 3"
                  label={{ value: 'threshold', fill: '#f85149', fontSize: 10, position: 'insideTopLeft' }}
                />
              )}
              {models.map((m, i) => (
                <Line
                  key={m}
                  type="stepAfter"
                  dataKey={m}
                  name={m}
                  stroke={COLORS[i % COLORS.length]}
                  dot={false}
                  isAnimationActive={false}
                  strokeWidth={1.8}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}
