'use client';

import { useQuery } from '@tanstack/react-query';
import { ButtonLink, Card, EmptyState, ProgressBar, StateBadge, Table } from '~/components/ui';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';

export function CampaignList({ org, canRun }: { org: string; canRun: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.campaigns.list.queryOptions({ org }));
  return (
    <>
      {canRun && (
        <div className="toolbar justify-end mb-3">
          <ButtonLink variant="primary" href={`/${org}/campaigns/new`}>
            New campaign
          </ButtonLink>
        </div>
      )}
      <Card flush>
        {list.data && list.data.length === 0 ? (
          <EmptyState>No campaigns yet. A campaign sweeps scenario parameters over many runs.</EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Scenario</th>
                <th>Sampling</th>
                <th>State</th>
                <th className="w-md">Runs</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/${org}/campaigns/${c.id}`}>{c.name}</a>
                  </td>
                  <td>{c.scenarioName}</td>
                  <td>{c.strategy}</td>
                  <td>
                    <StateBadge state={c.state} />
                  </td>
                  <td>
                    <div className="muted text-xs mb-1">
                      {c.done} / {c.runCount}
                    </div>
                    <ProgressBar value={c.runCount ? c.done / c.runCount : 0} label="Campaign progress" />
                  </td>
                  <td className="muted">{relative(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
