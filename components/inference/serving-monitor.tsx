'use client';

import { useQuery } from '@tanstack/react-query';
import { relative } from '~/components/ui/format';
import { CHART_TONE, Histogram } from '~/components/charts';
import { useTRPC } from '~/components/trpc/react';
import { Badge, Card, EmptyState, SectionTitle, Table } from '~/components/ui';
import { LATENCY_BUCKETS_US } from '~/server/inference/stats';
import { OutcomesPanel } from './outcomes-panel';

type Live = {
  provider: string;
  providerFallback: string | null;
  predictions: number;
  httpRequests: number;
  streamRows: number;
  errors: number;
  batches: number;
  meanBatchRows: number | null;
  requestUs: { p50: number | null; p95: number | null; p99: number | null };
  queueUs: { p50: number | null; p95: number | null; p99: number | null };
  requestHistogram: number[];
  since: number;
  at: number;
} | null;
type Side = { versionId: string; version: number | null; threshold: number | null; live: Live };

const us = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v >= 1000 ? `≤ ${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} ms` : `≤ ${v} µs`;
const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? '—' : v.toLocaleString(undefined, { maximumFractionDigits: digits });
const bucketLabel = (b: number) => (!Number.isFinite(b) ? '> 1 s' : b >= 1000 ? `${b / 1000} ms` : `${b} µs`);

function Row({
  label,
  base,
  canary,
  render,
  testId,
}: {
  label: string;
  base: Side;
  canary: Side | null;
  render: (l: NonNullable<Live>, s: Side) => string;
  testId?: string;
}) {
  const cell = (s: Side) => (s.live ? render(s.live, s) : '—');
  return (
    <tr data-testid={testId}>
      <td>{label}</td>
      <td className="num">{cell(base)}</td>
      {canary && <td className="num">{cell(canary)}</td>}
    </tr>
  );
}

function LatencyChart({ base, canary }: { base: Side; canary: Side | null }) {
  const share = (h: number[] | undefined, i: number) => {
    const total = h?.reduce((a, b) => a + b, 0) ?? 0;
    return total ? (100 * (h![i] ?? 0)) / total : 0;
  };
  const data = LATENCY_BUCKETS_US.map((b, i) => ({
    bucket: bucketLabel(b),
    baseline: share(base.live?.requestHistogram, i),
    canary: share(canary?.live?.requestHistogram, i),
  })).filter((d) => d.baseline > 0 || d.canary > 0);
  if (data.length === 0) return <EmptyState>No requests yet.</EmptyState>;
  return (
    <Histogram
      bins={data}
      binKey="bucket"
      unit="%"
      series={[
        { key: 'baseline', name: `baseline v${base.version ?? '?'}`, color: CHART_TONE.accent },
        ...(canary ? [{ key: 'canary', name: `canary v${canary.version ?? '?'}`, color: CHART_TONE.orange }] : []),
      ]}
    />
  );
}

/** Serving monitor: each deployment's baseline and canary side by side, live from the workers. */
export function ServingMonitor({ org }: { org: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.inference.monitoring.queryOptions({ org }, { refetchInterval: 2000 }));
  const d = q.data;
  return (
    <>
      <SectionTitle
        actions={
          <Badge tone={d && d.workersReporting > 0 ? 'ok' : 'wait'} data-testid="serving-workers">
            {d
              ? d.workersReporting > 0
                ? `${d.workersReporting} inference worker${d.workersReporting === 1 ? '' : 's'} reporting`
                : 'No inference worker reporting'
              : 'Loading…'}
          </Badge>
        }
      >
        Model serving
      </SectionTitle>
      {q.error && <div className="alert alert-error">{q.error.message}</div>}
      {d?.statsError && <div className="alert alert-error">Live numbers are unavailable: {d.statsError}</div>}
      {d && d.deployments.length === 0 && (
        <Card>
          <EmptyState>
            No deployments yet. Point an alias such as <code>production</code> at a model version and the inference
            worker starts serving it.
          </EmptyState>
        </Card>
      )}
      <div className="stack">
        {d?.deployments.map((dep) => {
          const { baseline: base, canary } = dep;
          const cols = canary ? 3 : 2;
          return (
            <Card key={`${dep.modelId}-${dep.alias}`} data-testid={`deployment-${dep.modelName}-${dep.alias}`}>
              <div className="toolbar justify-between mb-2">
                <div>
                  <h2>
                    {dep.modelName} <span className="muted">· {dep.alias}</span>
                  </h2>
                  <div className="sub">
                    {dep.kind} · v{base.version}
                    {canary
                      ? ` with canary v${canary.version} on ${Math.round(dep.canaryWeight * 100)}% of vehicles`
                      : ''}{' '}
                    · changed {relative(dep.updatedAt)}
                  </div>
                </div>
                {canary ? (
                  <Badge tone="wait">canary {Math.round(dep.canaryWeight * 100)}%</Badge>
                ) : (
                  <Badge tone="ok">single version</Badge>
                )}
              </div>
              <div className="columns-2">
                <Table data-testid="serving-compare">
                  <thead>
                    <tr>
                      <th className="text-left" />
                      <th className="text-left">Baseline v{base.version}</th>
                      {canary && <th className="text-left">Canary v{canary.version}</th>}
                    </tr>
                  </thead>
                  <tbody>
                    <Row
                      label="Traffic share"
                      base={base}
                      canary={canary}
                      render={(_, s) =>
                        `${Math.round((s === canary ? dep.canaryWeight : 1 - dep.canaryWeight) * 100)}% of vehicles`
                      }
                    />
                    <Row
                      label="Execution provider"
                      base={base}
                      canary={canary}
                      render={(l) =>
                        l.providerFallback ? `${l.provider} (fallback: ${l.providerFallback})` : l.provider
                      }
                      testId="serving-provider"
                    />
                    <Row
                      label="Predictions"
                      base={base}
                      canary={canary}
                      render={(l) => num(l.predictions)}
                      testId="serving-predictions"
                    />
                    <Row
                      label="HTTP requests / stream rows"
                      base={base}
                      canary={canary}
                      render={(l) => `${num(l.httpRequests)} / ${num(l.streamRows)}`}
                    />
                    <Row
                      label="Errors"
                      base={base}
                      canary={canary}
                      render={(l) =>
                        l.errors
                          ? `${num(l.errors)} (${((100 * l.errors) / Math.max(1, l.predictions + l.errors)).toFixed(2)}%)`
                          : '0'
                      }
                    />
                    <Row label="Mean batch size" base={base} canary={canary} render={(l) => num(l.meanBatchRows, 1)} />
                    <Row
                      label="Request latency p50 / p99"
                      base={base}
                      canary={canary}
                      render={(l) => `${us(l.requestUs.p50)} / ${us(l.requestUs.p99)}`}
                    />
                    <Row
                      label="Queue wait p50 / p99"
                      base={base}
                      canary={canary}
                      render={(l) => `${us(l.queueUs.p50)} / ${us(l.queueUs.p99)}`}
                    />
                    <Row
                      label="Threshold"
                      base={base}
                      canary={canary}
                      render={(_, s) => (s.threshold === null ? '—' : s.threshold.toFixed(4))}
                    />
                    <Row
                      label="Serving since"
                      base={base}
                      canary={canary}
                      render={(l) => relative(new Date(l.since))}
                    />
                  </tbody>
                </Table>
                <div>
                  <div className="muted text-sm mb-1">Request latency distribution (share of requests per bucket)</div>
                  <LatencyChart base={base} canary={canary} />
                </div>
              </div>
              {cols === 2 && !base.live && <p className="muted mb-0">No worker has served this version yet.</p>}
              <OutcomesPanel org={org} modelId={dep.modelId} alias={dep.alias} />
            </Card>
          );
        })}
      </div>
    </>
  );
}
