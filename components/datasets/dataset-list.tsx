'use client';

import { useQuery } from '@tanstack/react-query';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { ButtonLink, Card, EmptyState, Table } from '~/components/ui';

export function DatasetList({ org, canCreate }: { org: string; canCreate: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.datasets.list.queryOptions({ org }));
  return (
    <>
      {canCreate && (
        <div className="toolbar justify-end mb-3">
          <ButtonLink href={`/${org}/datasets/new?source=upload`}>Upload a file</ButtonLink>
          <ButtonLink variant="primary" href={`/${org}/datasets/new`}>
            New dataset from runs
          </ButtonLink>
        </div>
      )}
      <Card flush>
        {list.data && list.data.length === 0 ? (
          <EmptyState>
            No datasets yet. Build one from finished runs (labels come from their injected faults) or upload a CSV /
            C-MAPSS file.
          </EmptyState>
        ) : (
          <Table data-testid="dataset-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Source</th>
                <th>Latest</th>
                <th>Rows</th>
                <th>Groups</th>
                <th>Label</th>
                <th>Features</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={`/${org}/datasets/${d.id}`}>{d.name}</a>
                  </td>
                  <td>{d.source === 'offline' ? 'offline store' : 'upload'}</td>
                  <td>v{d.latestVersion}</td>
                  <td>{d.latest?.rowCount.toLocaleString('en-US') ?? '—'}</td>
                  <td>
                    {d.latest
                      ? `${d.latest.groupCount} ${d.latest.groupBy}${d.latest.groupCount === 1 ? '' : 's'}`
                      : '—'}
                  </td>
                  <td>
                    {d.latest
                      ? d.latest.labelKind === 'none'
                        ? 'none'
                        : `${d.latest.labelName} (${d.latest.labelKind})`
                      : '—'}
                  </td>
                  <td>{d.latest?.featureCount ?? '—'}</td>
                  <td className="muted">{relative(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
