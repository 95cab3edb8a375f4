'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Card, EmptyState, SectionTitle, Table, QueryError } from '~/components/ui';
import { Time } from '~/components/ui/time';
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
  if (q.error)
    return <QueryError error={q.error} what="model" backHref={`/${org}/models`} backLabel="Back to models" />;
  if (!m) return <EmptyState>Loading…</EmptyState>;

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
      <div className="toolbar justify-between mb-4">
        <div>
          <h2 className="m-0 text-xl" data-testid="model-name">
            {m.name}
          </h2>
          <div className="muted text-sm mt-1">
            {KIND_LABELS[m.kind] ?? m.kind} · {m.versionCount} version{m.versionCount === 1 ? '' : 's'} · created{' '}
            <Time value={m.createdAt} />
            {m.description ? ` · ${m.description}` : ''}
          </div>
        </div>
        <div className="toolbar gap-1">
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
        <Card>
          <div className="toolbar justify-between">
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
            <EmptyState>These versions carry no metrics.</EmptyState>
          )}
          <div className="muted text-xs mt-1">
            The ringed point is the version <code>production</code> serves.
          </div>
          <div className="grid-3 mt-4">
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
                <div className="value text-xl">{v ? `v${v.version}` : '—'}</div>
                <div className="muted text-xs">
                  {v && metric ? `${metric} ${formatMetric(v.metrics[metric])}` : ' '}
                </div>
              </div>
            ))}
          </div>
        </Card>
        <AliasPanel
          key={m.versions.length}
          org={org}
          model={m}
          canMove={canMove}
          canDeploy={canDeploy}
          onMoved={() => q.refetch()}
        />
      </div>

      <SectionTitle>Versions</SectionTitle>
      <Card flush className="overflow-x-auto">
        <Table data-testid="version-table">
          <thead>
            <tr>
              <th>Version</th>
              {columns.map((c) => (
                <th key={c} className="text-right">
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
                  <Button variant="link" onClick={() => setSelected(v.id)}>
                    v{v.version}
                  </Button>
                </td>
                {columns.map((c) => (
                  <td key={c} className="text-right num">
                    {formatMetric(v.metrics[c])}
                  </td>
                ))}
                <td>
                  <div className="toolbar gap-1">
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
                <td className="muted nowrap">
                  <Time value={v.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>

      <div className="model-grid mt-4">
        {selectedId ? <VersionDetail org={org} versionId={selectedId} /> : <div />}
        <Card flush title="Alias history">
          <AliasHistory history={m.history} />
        </Card>
      </div>
    </>
  );
}
