'use client';

import { useQuery } from '@tanstack/react-query';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { Card, EmptyState, ProgressBar, StateBadge, Table } from '~/components/ui';

export function RunList({ org }: { org: string }) {
  const trpc = useTRPC();
  const runs = useQuery(
    trpc.runs.list.queryOptions(
      { org, limit: 100 },
      {
        refetchInterval: (q) =>
          q.state.data?.some((r) => r.state === 'queued' || r.state === 'running') ? 2000 : 10_000,
      },
    ),
  );
  return (
    <Card flush>
      {runs.data && runs.data.length === 0 ? (
        <EmptyState>No runs yet. Open a scenario and run it.</EmptyState>
      ) : (
        <Table data-testid="run-table">
          <thead>
            <tr>
              <th>Scenario</th>
              <th>State</th>
              <th className="w-sm">Progress</th>
              <th>Driving score</th>
              <th>Collisions</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`/${org}/runs/${r.id}`}>{r.scenarioName}</a> <span className="muted">v{r.version}</span>
                </td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>
                  <ProgressBar value={r.progress} label="Run progress" />
                </td>
                <td>{r.kpis ? (r.kpis.drivingScore * 100).toFixed(1) : '—'}</td>
                <td>{r.kpis ? r.kpis.collisions.total : '—'}</td>
                <td className="muted">{relative(r.startedAt ?? r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {runs.isLoading && <EmptyState>Loading…</EmptyState>}
    </Card>
  );
}
