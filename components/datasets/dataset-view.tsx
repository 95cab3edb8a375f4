'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { Time } from '~/components/ui/time';
import { useTRPC } from '~/components/trpc/react';
import { Button, ButtonLink, Card, EmptyState, SectionTitle, Stat, Table, QueryError } from '~/components/ui';

export function DatasetView({ org, id, canCreate }: { org: string; id: string; canCreate: boolean }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.datasets.get.queryOptions({ org, id }));
  const rebuild = useMutation(trpc.datasets.rebuild.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  if (q.error)
    return <QueryError error={q.error} what="dataset" backHref={`/${org}/datasets`} backLabel="Back to datasets" />;
  const d = q.data;
  if (!d) return <EmptyState>Loading…</EmptyState>;
  const latest = d.versions[0];
  const stats = latest?.stats ?? {};
  const classCounts = (stats.classCounts ?? stats.labelSummary) as Record<string, number> | undefined;
  return (
    <>
      <div className="toolbar justify-between mb-4">
        <div>
          <h2 className="m-0 text-xl">{d.name}</h2>
          <div className="muted text-sm mt-1">
            {d.source === 'offline'
              ? 'Built from the offline feature store; labels from fault events'
              : 'Uploaded file'}{' '}
            · {d.versions.length} version{d.versions.length === 1 ? '' : 's'}
            {d.description ? ` · ${d.description}` : ''}
          </div>
        </div>
        {canCreate && latest && (
          <div className="toolbar">
            <Button
              disabled={rebuild.isPending}
              onClick={() =>
                rebuild.mutate(
                  { org, id },
                  { onError: (e) => setError(errorMessage(e)), onSettled: () => void q.refetch() },
                )
              }
            >
              {rebuild.isPending ? 'Building…' : 'New version from newest data'}
            </Button>
            <ButtonLink variant="primary" href={`/${org}/training/new?version=${latest.id}`}>
              Train on v{latest.version}
            </ButtonLink>
          </div>
        )}
      </div>
      {error && <div className="alert alert-error">{error}</div>}
      {latest && (
        <Card className="mb-4">
          <div className="kpi-grid">
            <Stat label="Rows" value={latest.rowCount.toLocaleString('en-US')} />
            <Stat label={<>{latest.groupBy}s</>} value={latest.groupCount} />
            <Stat label="Features" value={latest.featureNames.length} />
            <Stat
              label="Label"
              value={latest.labelKind === 'none' ? 'none' : `${latest.labelName} · ${latest.labelKind}`}
              small
            />
          </div>
          {classCounts && (
            <div className="muted text-sm mt-3">
              {Object.entries(classCounts)
                .map(([k, v]) => `${k}: ${v}`)
                .join(' · ')}
            </div>
          )}
        </Card>
      )}
      <SectionTitle>Versions</SectionTitle>
      <Card flush>
        <Table data-testid="dataset-versions">
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
                  <td className="font-mono text-xs" title={v.fingerprint}>
                    {v.fingerprint.slice(0, 19)}…
                  </td>
                  <td className="muted">
                    <Time value={v.createdAt} />
                  </td>
                  <td className="text-right">
                    {canCreate && (
                      <ButtonLink size="sm" href={`/${org}/training/new?version=${v.id}`}>
                        Train
                      </ButtonLink>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      </Card>
      {latest && (
        <>
          <SectionTitle>Features of v{latest.version}</SectionTitle>
          <Card>
            <div className="chips">
              {latest.featureNames.map((f) => (
                <span key={f} className="role-pill normal-case">
                  {f}
                </span>
              ))}
            </div>
            {Array.isArray(stats.droppedFeatures) && (stats.droppedFeatures as string[]).length > 0 && (
              <p className="muted text-sm mt-3">
                Left out (mostly missing): {(stats.droppedFeatures as string[]).join(', ')}
              </p>
            )}
          </Card>
        </>
      )}
    </>
  );
}
