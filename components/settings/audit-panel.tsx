'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/components/trpc/react';
import { Time } from '~/components/ui/time';
import { Card, EmptyState, Table } from '~/components/ui';

export function AuditPanel({ org }: { org: string }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.audit.list.queryOptions({ org, limit: 100 }));
  return (
    <Card flush>
      {log.data && log.data.entries.length === 0 ? (
        <EmptyState>No events yet.</EmptyState>
      ) : (
        <Table data-testid="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>By</th>
              <th>Details</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {log.data?.entries.map((e) => (
              <tr key={e.id}>
                <td className="muted nowrap">
                  <Time value={e.createdAt} />
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.actorLabel ?? '—'}</td>
                <td className="muted text-sm">
                  {e.data
                    ? Object.entries(e.data as Record<string, unknown>)
                        .map(([k, v]) => `${k}: ${String(v)}`)
                        .join(' · ')
                    : ''}
                </td>
                <td className="muted">{e.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {log.isLoading && <EmptyState>Loading…</EmptyState>}
    </Card>
  );
}
