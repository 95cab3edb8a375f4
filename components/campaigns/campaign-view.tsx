'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button, Card, EmptyState, ProgressBar, SectionTitle, StateBadge, Table, QueryError } from '~/components/ui';
import { errorMessage } from '~/components/trpc/error-message';
import { Heatmap, Swatch } from '~/components/charts';
import { sweepLabel } from './sweep-params';
import { useTRPC } from '~/components/trpc/react';

/** Red (0) → amber → green (1), for driving scores. */
function scoreColor(score: number): string {
  const hue = Math.round(Math.max(0, Math.min(1, score)) * 120);
  return `hsl(${hue} 65% 55%)`;
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v));

export function CampaignView({ org, id, canRun }: { org: string; id: string; canRun: boolean }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery(
    trpc.campaigns.get.queryOptions(
      { org, id },
      { refetchInterval: (s) => (s.state.data?.state === 'running' ? 2000 : false) },
    ),
  );
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions());
  const c = q.data;
  const paths = useMemo(() => c?.sweep.map((d) => d.path) ?? [], [c]);
  const [xPath, yPath] = [paths[0], paths[1]];

  const heat = useMemo(() => {
    if (!c || !xPath) return null;
    const done = c.runs.filter((r) => r.kpis);
    const xs = [...new Set(c.runs.map((r) => fmt(r.params[xPath])))].sort(
      (a, b) => Number(a) - Number(b) || a.localeCompare(b),
    );
    const ys = yPath
      ? [...new Set(c.runs.map((r) => fmt(r.params[yPath])))].sort(
          (a, b) => Number(a) - Number(b) || a.localeCompare(b),
        )
      : ['all'];
    // Too many distinct values (random / LHS): bin them into at most 6 buckets per axis.
    const bin = (vals: string[]) => (vals.length <= 8 ? vals : null);
    return { done, xs: bin(xs), ys: bin(ys) };
  }, [c, xPath, yPath]);

  if (q.error)
    return <QueryError error={q.error} what="campaign" backHref={`/${org}/campaigns`} backLabel="Back to campaigns" />;
  if (!c) return <EmptyState>Loading…</EmptyState>;
  const finished = c.runs.filter((r) => ['completed', 'failed', 'cancelled'].includes(r.state)).length;
  return (
    <>
      <div className="toolbar justify-between mb-4">
        <div>
          <h2 className="m-0 text-xl">{c.name}</h2>
          <div className="muted text-sm mt-1">
            <a href={`/${org}/scenarios/${c.scenario.id}`}>{c.scenario.name}</a> · {c.strategy.toUpperCase()} over{' '}
            {paths.map(sweepLabel).join(', ')} · {c.runs.length} runs, at most {c.maxConcurrent} at once
          </div>
        </div>
        <div className="toolbar">
          <StateBadge state={c.state} />
          {canRun && c.state === 'running' && (
            <Button
              variant="danger"
              onClick={() =>
                cancel.mutate(
                  { org, id },
                  { onError: (e) => setError(errorMessage(e)), onSettled: () => void q.refetch() },
                )
              }
            >
              Cancel campaign
            </Button>
          )}
        </div>
      </div>
      {error && <div className="alert alert-error">{error}</div>}
      <Card className="mb-4">
        <div className="toolbar justify-between text-sm mb-2">
          <span>
            {finished} of {c.runs.length} runs finished
          </span>
        </div>
        <ProgressBar value={c.runs.length ? finished / c.runs.length : 0} label="Campaign progress" />
      </Card>
      {heat?.xs && heat.ys && xPath && (
        <>
          <SectionTitle>
            Driving score by {sweepLabel(xPath)}
            {yPath ? ` × ${sweepLabel(yPath)}` : ''}
          </SectionTitle>
          <Card>
            <Heatmap
              testId="campaign-heatmap"
              xs={heat.xs}
              ys={heat.ys}
              xTitle={sweepLabel(xPath)}
              yTitle={yPath ? sweepLabel(yPath) : undefined}
              value={(x, y) => {
                const cell = heat.done.filter(
                  (r) => fmt(r.params[xPath]) === x && (!yPath || fmt(r.params[yPath]) === y),
                );
                return cell.length ? cell.reduce((s, r) => s + r.kpis!.drivingScore, 0) / cell.length : null;
              }}
              color={scoreColor}
              format={(mean) => (mean * 100).toFixed(0)}
            />
          </Card>
        </>
      )}
      <SectionTitle>Runs</SectionTitle>
      <Card flush>
        <Table data-testid="campaign-runs">
          <thead>
            <tr>
              {paths.map((p) => (
                <th key={p}>{sweepLabel(p)}</th>
              ))}
              <th>State</th>
              <th>Driving score</th>
              <th>Route</th>
              <th>Collisions</th>
              <th>Infractions</th>
              <th>Min TTC</th>
            </tr>
          </thead>
          <tbody>
            {c.runs.map((r) => (
              <tr key={r.id}>
                {paths.map((p) => (
                  <td key={p}>{fmt(r.params[p])}</td>
                ))}
                <td>
                  <a href={`/${org}/runs/${r.id}`}>
                    <StateBadge state={r.state} />
                  </a>
                </td>
                <td>
                  {r.kpis ? (
                    <span className="fw-600">
                      <Swatch color={scoreColor(r.kpis.drivingScore)} />
                      {(r.kpis.drivingScore * 100).toFixed(1)}
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{r.kpis ? `${(r.kpis.routeCompletion * 100).toFixed(0)}%` : '—'}</td>
                <td>{r.kpis?.collisions.total ?? '—'}</td>
                <td>{r.kpis?.infractions.total ?? '—'}</td>
                <td>{r.kpis?.minTtc != null ? `${r.kpis.minTtc.toFixed(2)} s` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
