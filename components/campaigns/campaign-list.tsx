'use client';

import { useQuery } from '@tanstack/react-query';
import { ProgressBar, StateBadge } from '~/components/runs/state-badge';
import { relative } from '~/components/settings/util';
import { useTRPC } from '~/components/trpc/react';

export function CampaignList({ org, canRun }: { org: string; canRun: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.campaigns.list.queryOptions({ org }));
  return (
    <>
      {canRun && (
        <div className="toolbar" style={{ justifyContent: 'flex-end', marginBottom: 12 }}>
          <a className="btn btn-primary" href={`/${org}/campaigns/new`}>
            New campaign
          </a>
        </div>
      )}
      <div className="card" style={{ padding: 0 }}>
        {list.data && list.data.length === 0 ? (
          <div className="empty">No campaigns yet. A campaign sweeps scenario parameters over many runs.</div>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scenario</th>
                <th>Sampling</th>
                <th>State</th>
                <th style={{ width: 180 }}>Runs</th>
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
                    <div className="muted" style={{ fontSize: 12, marginBottom: 4 }}>
                      {c.done} / {c.runCount}
                    </div>
                    <ProgressBar value={c.runCount ? c.done / c.runCount : 0} />
                  </td>
                  <td className="muted">{relative(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
