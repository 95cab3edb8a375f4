'use client';

import { useQuery } from '@tanstack/react-query';
import { Card, EmptyState, StateBadge, Table } from '~/components/ui';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';

export function ExperimentList({ org }: { org: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.experiments.list.queryOptions({ org }));
  return (
    <Card flush>
      {list.data && list.data.length === 0 ? (
        <EmptyState>
          No experiments yet. Every training job records a run in an experiment (by default the dataset&apos;s name).
        </EmptyState>
      ) : (
        <Table data-testid="experiment-list">
          <thead>
            <tr>
              <th>Experiment</th>
              <th>Runs</th>
              <th>Last run</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`/${org}/experiments/${e.id}`}>{e.name}</a>
                </td>
                <td>{e.runCount}</td>
                <td>
                  {e.lastRun ? (
                    <>
                      <StateBadge state={e.lastRun.state} />{' '}
                      <span className="muted">
                        {e.lastRun.kind} · {relative(e.lastRun.startedAt)}
                      </span>
                    </>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td className="muted">{relative(e.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
