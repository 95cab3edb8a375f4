'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatTime } from '~/components/settings/util';
import { useTRPC } from '~/components/trpc/react';
import { metricDirection } from '~/server/models/gate';
import { AliasHistory } from './alias-history';
import { AliasPanel } from './alias-panel';
import { AliasPill } from './alias-pill';
import { formatMetric, KIND_LABELS } from './format';
import { MetricChart } from './metric-chart';
import { VersionDetail } from './version-detail';

/** Metrics shown as table columns: the main one first, then the usual ones the versions have. */
const COLUMN_ORDER = ['f1', 'precision', 'recall', 'roc_auc', 'accuracy', 'rmse', 'mae', 'val_loss'];

export function ModelView({
  org,
  id,
  canMove,
  canDeploy,
}: {
  org: string;
  id: string;
  canMove: boolean;
  canDeploy: boolean;
}) {
  const trpc = useTRPC();
  const q = useQuery(trpc.models.get.queryOptions({ org, id }));
  const [selected, setSelected] = useState<string | null>(null);
  const [chartMetric, setChartMetric] = useState<string | null>(null);
  const m = q.data;
  if (q.error) return <div className="alert alert-error">{q.error.message}</div>;
  if (!m) return <div className="empty">Loading…</div>;

  const metric = chartMetric ?? m.mainMetric;
  const columns = [
    ...new Set([...(m.mainMetric ? [m.mainMetric] : []), ...COLUMN_ORDER.filter((c) => m.metricNames.includes(c))]),
  ].slice(0, 5);
  const direction = metric ? metricDirection(metric) : 'higher';
  const scored = metric ? m.versions.filter((v) => v.metrics[metric] !== null && v.metrics[metric] !== undefined) : [];
  const best = scored.reduce<(typeof scored)[number] | undefined>(
    (b, v) =>
      !b ||
      (direction === 'higher' ? v.metrics[metric!]! > b.metrics[metric!]! : v.metrics[metric!]! < b.metrics[metric!]!)
        ? v
        : b,
    undefined,
  );
  const selectedId = selected ?? m.aliases.find((a) => a.name === 'production')?.versionId ?? m.versions[0]?.id ?? null;

  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between', marginBottom: 16 }}>
        <div>
          <h2 style={{ margin: 0, fontSize: 20 }} data-testid="model-name">
            {m.name}
          </h2>
          <div className="muted" style={{ fontSize: 13, marginTop: 4 }}>
            {KIND_LABELS[m.kind] ?? m.kind} · {m.versionCount} version{m.versionCount === 1 ? '' : 's'} · created{' '}
            {formatTime(m.createdAt)}
            {m.description ? ` · ${m.description}` : ''}
          </div>
        </div>
        <div className="toolbar" style={{ gap: 6 }}>
          {m.aliases.map((a) => (
            <AliasPill
              key={a.name}
              name={a.name}
              version={a.version}
              canary={a.canaryVersion !== null ? { version: a.canaryVersion, weight: a.canaryWeight } : null}
            />
          ))}
        </div>
      </div>

      <div className="model-grid model-grid-even">
        <div className="card">
          <div className="toolbar" style={{ justifyContent: 'space-between' }}>
            <h2>{metric ? `${metric} by version` : 'Metrics'}</h2>
            {m.metricNames.length > 1 && (
              <select
                aria-label="Chart metric"
                className="org-switch"
                value={metric ?? ''}
                onChange={(e) => setChartMetric(e.target.value)}
              >
                {m.metricNames.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </div>
          {metric ? (
            <MetricChart versions={m.versions} aliases={m.aliases} metric={metric} />
          ) : (
            <div className="empty">These versions carry no metrics.</div>
          )}
          <div className="muted" style={{ fontSize: 12, marginTop: 6 }}>
            The ringed point is the version <code>production</code> serves.
          </div>
          <div className="kpi-grid" style={{ marginTop: 16, gridTemplateColumns: 'repeat(3, minmax(0, 1fr))' }}>
            {[
              {
                label: 'Production',
                v: m.versions.find((x) => x.id === m.aliases.find((a) => a.name === 'production')?.versionId),
              },
              { label: 'Latest', v: m.versions[0] },
              { label: 'Best', v: best },
            ].map(({ label, v }) => (
              <div key={label} className="kpi">
                <div className="label">{label}</div>
                <div className="value" style={{ fontSize: 22 }}>
                  {v ? `v${v.version}` : '—'}
                </div>
                <div className="muted" style={{ fontSize: 12 }}>
                  {v && metric ? `${metric} ${formatMetric(v.metrics[metric])}` : ' '}
                </div>
              </div>
            ))}
          </div>
        </div>
        <AliasPanel
          key={m.versions.length}
          org={org}
          model={m}
          canMove={canMove}
          canDeploy={canDeploy}
          onMoved={() => q.refetch()}
        />
      </div>

      <h3 className="section-title">Versions</h3>
      <div className="card" style={{ padding: 0, overflowX: 'auto' }}>
        <table className="data" data-testid="version-table">
          <thead>
            <tr>
              <th>Version</th>
              {columns.map((c) => (
                <th key={c} style={{ textAlign: 'right' }}>
                  {c}
                </th>
              ))}
              <th>Aliases</th>
              <th>Experiment run</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {m.versions.map((v) => (
              <tr
                key={v.id}
                className={`clickable${v.id === selectedId ? ' selected' : ''}`}
                onClick={() => setSelected(v.id)}
                data-testid={`version-row-${v.version}`}
              >
                <td>
                  <button className="btn-link" onClick={() => setSelected(v.id)}>
                    v{v.version}
                  </button>
                </td>
                {columns.map((c) => (
                  <td key={c} style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                    {formatMetric(v.metrics[c])}
                  </td>
                ))}
                <td>
                  <div className="toolbar" style={{ gap: 4 }}>
                    {m.aliases
                      .filter((a) => a.versionId === v.id)
                      .map((a) => (
                        <span
                          key={a.name}
                          className={`alias-pill${a.name === 'production' ? ' alias-production' : ''}`}
                        >
                          {a.name}
                        </span>
                      ))}
                    {m.aliases
                      .filter((a) => a.canaryVersionId === v.id)
                      .map((a) => (
                        <span key={`c-${a.name}`} className="alias-pill">
                          <span className="alias-canary">canary</span> {a.name}
                        </span>
                      ))}
                  </div>
                </td>
                <td className="mono muted">{v.experimentRunId ?? '—'}</td>
                <td className="muted" style={{ whiteSpace: 'nowrap' }}>
                  {formatTime(v.createdAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="model-grid" style={{ marginTop: 16 }}>
        {selectedId ? <VersionDetail org={org} versionId={selectedId} /> : <div />}
        <div className="card" style={{ padding: 0 }}>
          <div style={{ padding: '16px 20px 4px' }}>
            <h2>Alias history</h2>
          </div>
          <AliasHistory history={m.history} />
        </div>
      </div>
    </>
  );
}
