'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, formatTime } from '~/components/settings/util';
import { useTRPC } from '~/components/trpc/react';

export function DatasetView({ org, id, canCreate }: { org: string; id: string; canCreate: boolean }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.datasets.get.queryOptions({ org, id }));
  const rebuild = useMutation(trpc.datasets.rebuild.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  if (q.error) return <div className="alert alert-error">{q.error.message}</div>;
  const d = q.data;
  if (!d) return <div className="empty">Loading…</div>;
  const latest = d.versions[0];
  const stats = latest?.stats ?? {};
  const classCounts = (stats.classCounts ?? stats.labelSummary) as Record<string, number> | undefined;
  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between', marginBottom: 16 }}>
        <div>
          <h2 style={{ margin: 0, fontSize: 20 }}>{d.name}</h2>
          <div className="muted" style={{ fontSize: 13, marginTop: 4 }}>
            {d.source === 'offline'
              ? 'Built from the offline feature store; labels from fault events'
              : 'Uploaded file'}{' '}
            · {d.versions.length} version{d.versions.length === 1 ? '' : 's'}
            {d.description ? ` · ${d.description}` : ''}
          </div>
        </div>
        {canCreate && latest && (
          <div className="toolbar">
            <button
              className="btn"
              disabled={rebuild.isPending}
              onClick={() =>
                rebuild.mutate(
                  { org, id },
                  { onError: (e) => setError(errorMessage(e)), onSettled: () => void q.refetch() },
                )
              }
            >
              {rebuild.isPending ? 'Building…' : 'New version from newest data'}
            </button>
            <a className="btn btn-primary" href={`/${org}/training/new?version=${latest.id}`}>
              Train on v{latest.version}
            </a>
          </div>
        )}
      </div>
      {error && <div className="alert alert-error">{error}</div>}
      {latest && (
        <div className="card" style={{ marginBottom: 16 }}>
          <div className="kpi-grid">
            <div className="kpi">
              <div className="label">Rows</div>
              <div className="value">{latest.rowCount.toLocaleString('en-US')}</div>
            </div>
            <div className="kpi">
              <div className="label">{latest.groupBy}s</div>
              <div className="value">{latest.groupCount}</div>
            </div>
            <div className="kpi">
              <div className="label">Features</div>
              <div className="value">{latest.featureNames.length}</div>
            </div>
            <div className="kpi">
              <div className="label">Label</div>
              <div className="value" style={{ fontSize: 18 }}>
                {latest.labelKind === 'none' ? 'none' : `${latest.labelName} · ${latest.labelKind}`}
              </div>
            </div>
          </div>
          {classCounts && (
            <div className="muted" style={{ fontSize: 13, marginTop: 12 }}>
              {Object.entries(classCounts)
                .map(([k, v]) => `${k}: ${v}`)
                .join(' · ')}
            </div>
          )}
        </div>
      )}
      <h3 className="section-title">Versions</h3>
      <div className="card" style={{ padding: 0 }}>
        <table className="data" data-testid="dataset-versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Rows</th>
              <th>Source</th>
              <th>Fingerprint</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {d.versions.map((v) => {
              const spec = v.spec;
              const source =
                spec.source === 'upload'
                  ? `${String(spec.fileName)} (${Math.round(Number(spec.bytes) / 1024)} KiB)`
                  : `${(spec.resolvedRunIds as string[] | undefined)?.length ?? 0} runs${spec.campaignId ? ' of a campaign' : ''} · ${String(spec.windowKind)} ${String(spec.windowSize)} s windows · feature set ${String(spec.featureSetVersion)}`;
              return (
                <tr key={v.id}>
                  <td>v{v.version}</td>
                  <td>{v.rowCount.toLocaleString('en-US')}</td>
                  <td>{source}</td>
                  <td style={{ fontFamily: 'ui-monospace, monospace', fontSize: 12 }} title={v.fingerprint}>
                    {v.fingerprint.slice(0, 19)}…
                  </td>
                  <td className="muted">{formatTime(v.createdAt)}</td>
                  <td style={{ textAlign: 'right' }}>
                    {canCreate && (
                      <a className="btn btn-sm" href={`/${org}/training/new?version=${v.id}`}>
                        Train
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {latest && (
        <>
          <h3 className="section-title">Features of v{latest.version}</h3>
          <div className="card">
            <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}>
              {latest.featureNames.map((f) => (
                <span key={f} className="role-pill" style={{ textTransform: 'none', letterSpacing: 0 }}>
                  {f}
                </span>
              ))}
            </div>
            {Array.isArray(stats.droppedFeatures) && (stats.droppedFeatures as string[]).length > 0 && (
              <p className="muted" style={{ fontSize: 13, marginTop: 12 }}>
                Left out (mostly missing): {(stats.droppedFeatures as string[]).join(', ')}
              </p>
            )}
          </div>
        </>
      )}
    </>
  );
}
