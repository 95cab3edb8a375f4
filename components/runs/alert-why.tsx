'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/components/trpc/react';

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3));

/**
 * An alert's "why": the features of its window that moved the score most, with their values and
 * KernelSHAP contributions (server/explain/alert.ts). Asked again while the window's features are
 * not stored yet (the features worker writes them a moment after the alert).
 */
export function AlertWhy({ org, alertId }: { org: string; alertId: string }) {
  const trpc = useTRPC();
  const why = useQuery(
    trpc.inference.alertWhy.queryOptions(
      { org, alertId },
      {
        staleTime: Infinity,
        refetchInterval: (q) => (q.state.data && !q.state.data.available ? 3000 : false),
      },
    ),
  );
  if (why.error) return <div className="muted text-sm">Why: not available ({why.error.message})</div>;
  const d = why.data;
  if (!d) return <div className="muted text-sm">Why: explaining…</div>;
  if (!d.available) return <div className="muted text-sm">Why: {d.reason}</div>;
  return (
    <div className="text-sm mt-1" data-testid="alert-why">
      <span className="muted">Why: </span>
      <ul className="inline-list" aria-label="Top features behind this alert">
        {d.top.map((f) => (
          <li key={f.feature} data-testid="alert-why-feature" data-feature={f.feature}>
            <code>{f.feature}</code> = {f.value === null ? 'no data' : num(f.value)}{' '}
            <span className={f.contribution > 0 ? 'text-bad' : 'muted'}>
              ({f.contribution >= 0 ? '+' : '−'}
              {num(Math.abs(f.contribution))})
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
