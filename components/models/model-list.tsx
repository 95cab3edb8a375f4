'use client';

import { useQuery } from '@tanstack/react-query';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { AliasPill } from './alias-pill';
import { formatMetric, KIND_LABELS } from './format';
import { Card, EmptyState, Table } from '~/components/ui';

export function ModelList({ org }: { org: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.models.list.queryOptions({ org }));
  if (list.error) return <div className="alert alert-error">{list.error.message}</div>;
  return (
    <>
      <p className="muted text-sm mt-0 mb-3">
        Training runs register versions here; an alias (<code>production</code>, <code>staging</code>, any name) chooses
        what inference serves. The fleet reads the same list at <code>GET /api/v1/models</code>.
      </p>
      <Card flush>
        {list.data && list.data.length === 0 ? (
          <EmptyState>
            No models yet. Every training run that completes registers a version here; promote one to{' '}
            <code>production</code> to serve it.
          </EmptyState>
        ) : (
          <Table data-testid="model-list">
            <thead>
              <tr>
                <th>Model</th>
                <th>Kind</th>
                <th>Latest</th>
                <th>Main metric</th>
                <th>Aliases</th>
                <th>Last version</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((m) => (
                <tr key={m.id}>
                  <td>
                    <a href={`/${org}/models/${m.id}`}>{m.name}</a>
                    <div className="muted text-xs">
                      {m.versionCount} version{m.versionCount === 1 ? '' : 's'}
                    </div>
                  </td>
                  <td className="muted">{KIND_LABELS[m.kind] ?? m.kind}</td>
                  <td>{m.latest ? `v${m.latest.version}` : '—'}</td>
                  <td>
                    {m.mainMetric && m.latest ? (
                      <span>
                        <span className="muted">{m.mainMetric}</span> {formatMetric(m.latest.metrics[m.mainMetric])}
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <div className="toolbar gap-1">
                      {m.aliases.length === 0 && <span className="muted">—</span>}
                      {m.aliases.map((a) => (
                        <AliasPill
                          key={a.name}
                          name={a.name}
                          version={a.version}
                          canary={
                            a.canaryVersion !== null ? { version: a.canaryVersion, weight: a.canaryWeight } : null
                          }
                        />
                      ))}
                    </div>
                  </td>
                  <td className="muted">{relative(m.latest?.createdAt ?? m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {list.isLoading && <EmptyState>Loading…</EmptyState>}
      </Card>
    </>
  );
}
