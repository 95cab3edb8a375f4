'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CHART_TONE, Histogram, TimeSeriesChart, formatValue } from '~/components/charts';
import { errorMessage } from '~/components/trpc/error-message';
import { useTRPC } from '~/components/trpc/react';
import { Alert, Badge, Button, Card, EmptyState, Field, Input, Select, Stat, StatGrid, Table } from '~/components/ui';
import { useTimeFormat } from '~/components/ui/time';
import type { ColumnDrift } from '~/server/drift/report';

const POLICY_OPTIONS = [
  { value: 'notify', label: 'Notify' },
  { value: 'retrain', label: 'Retrain' },
  { value: 'retrain-and-gate-promote', label: 'Retrain and gate-promote' },
];

const fmtP = (p: number | null) => (p === null ? '—' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** Bins of a column's histogram as chart rows: shares in percent, labelled by their upper edge. */
function bins(c: ColumnDrift) {
  const h = c.histogram;
  if (!h) return [];
  return h.reference.map((r, i) => ({
    bin:
      c.type === 'categorical'
        ? String(h.edges[i])
        : !Number.isFinite(h.edges[i] ?? Infinity)
          ? `> ${formatValue(h.edges[i - 1] ?? 0)}`
          : `≤ ${formatValue(h.edges[i] ?? 0)}`,
    reference: Math.round(r * 1000) / 10,
    current: Math.round((h.current[i] ?? 0) * 1000) / 10,
  }));
}

/**
 * The drift tab of a model: the newest report with drifting features first, the selected
 * feature's reference and current distributions overlaid, its distance over the recent windows,
 * and the model's policy and window setting.
 */
export function DriftPanel({ org, modelId, canEdit }: { org: string; modelId: string; canEdit: boolean }) {
  const times = useTimeFormat();
  const trpc = useTRPC();
  const q = useQuery(trpc.drift.model.queryOptions({ org, modelId }));
  const [selected, setSelected] = useState<string | null>(null);
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const d = q.data;
  if (!d) return <EmptyState>Loading…</EmptyState>;

  const latest = d.latest;
  const columns = latest
    ? [...latest.report.columns, ...(latest.report.prediction ? [latest.report.prediction] : [])]
    : [];
  const column = columns.find((c) => c.column === selected) ?? columns[0] ?? null;
  const trend = d.trend.map((t) => ({
    at: new Date(t.windowEnd).getTime(),
    distance: !column
      ? null
      : column === latest?.report.prediction
        ? (t.prediction?.distance ?? null)
        : (t.columns[column.column]?.distance ?? null),
    share: Math.round(t.driftedShare * 1000) / 10,
  }));
  const drifting = latest?.report.columns.filter((c) => c.drifted).length ?? 0;

  return (
    <div data-testid="drift-panel">
      <SettingsCard
        org={org}
        modelId={modelId}
        canEdit={canEdit}
        policy={d.policy}
        window={d.window}
        onSaved={() => void q.refetch()}
      />
      {!latest ? (
        <EmptyState>
          No drift report yet. Served traffic is summarised in windows and checked against the version&apos;s training
          data once a window closes.
        </EmptyState>
      ) : (
        <>
          <StatGrid className="mt-4">
            <Stat
              label="Drifting features"
              value={`${drifting} / ${latest.report.columns.length}`}
              tone={drifting > 0 ? 'warn' : 'ok'}
              testId="drift-drifting-count"
            />
            <Stat
              label="Dataset drift"
              value={latest.datasetDrift ? 'yes' : 'no'}
              tone={latest.datasetDrift ? 'bad' : 'ok'}
              small
              hint="when at least half of the features drift"
              testId="drift-dataset"
            />
            <Stat
              label="Prediction drift"
              value={latest.report.prediction ? (latest.report.prediction.drifted ? 'yes' : 'no') : '—'}
              tone={latest.report.prediction?.drifted ? 'warn' : undefined}
              small
            />
            <Stat
              label="Window"
              value={`${latest.rows.toLocaleString()} rows`}
              small
              hint={`v${latest.version ?? '?'} · ${times.time(latest.windowStart)} – ${times.time(latest.windowEnd)}`}
            />
          </StatGrid>

          <div className="model-grid model-grid-even mt-4">
            <Card title={column ? `${column.column}: reference vs current` : 'Distribution'}>
              {column && (
                <div data-testid="drift-histogram" data-column={column.column}>
                  <Histogram
                    bins={bins(column)}
                    binKey="bin"
                    unit="%"
                    height={220}
                    series={[
                      { key: 'reference', name: 'Reference (training)', color: CHART_TONE.accent },
                      {
                        key: 'current',
                        name: 'Current window',
                        color: column.drifted ? CHART_TONE.bad : CHART_TONE.ok,
                      },
                    ]}
                  />
                  <div className="muted text-xs mt-1">
                    {column.test === 'ks' || column.test === 'chi-square'
                      ? `${column.test === 'ks' ? 'Kolmogorov–Smirnov' : 'Chi-square'} p = ${fmtP(column.pValue)} (drift below ${column.threshold})`
                      : `${column.test === 'wasserstein' ? 'Wasserstein / std' : 'Jensen–Shannon'} = ${formatValue(column.statistic)} (drift above ${column.threshold})`}{' '}
                    · PSI {formatValue(column.psi)}
                  </div>
                </div>
              )}
            </Card>
            <Card title={column ? `${column.column}: distance over windows` : 'Trend'}>
              <div data-testid="drift-trend" data-points={trend.length}>
                <TimeSeriesChart
                  data={trend}
                  x="at"
                  series={[{ key: 'distance', name: 'Distance (Wasserstein/std or JS)', color: CHART_TONE.bad }]}
                  xFormat={(v) => times.clock(v)}
                  tooltipLabel={(v) => times.time(v, { seconds: true })}
                  referenceLines={[{ y: 0.1, label: 'threshold 0.1' }]}
                  height={220}
                />
              </div>
            </Card>
          </div>

          <Card flush className="overflow-x-auto mt-4" title="Features, drifting first">
            <Table data-testid="drift-table">
              <thead>
                <tr>
                  <th>Feature</th>
                  <th>Drift</th>
                  <th>Test</th>
                  <th className="text-right">p-value</th>
                  <th className="text-right">Distance</th>
                  <th className="text-right">PSI</th>
                  <th className="text-right">Rows</th>
                </tr>
              </thead>
              <tbody>
                {columns.map((c) => (
                  <tr
                    key={c.column}
                    className={`clickable${c.column === column?.column ? ' selected' : ''}`}
                    onClick={() => setSelected(c.column)}
                    data-testid={`drift-row-${c.column}`}
                  >
                    <td>
                      <Button variant="link" onClick={() => setSelected(c.column)}>
                        {c.column}
                      </Button>
                    </td>
                    <td>
                      <Badge tone={c.drifted ? 'bad' : 'ok'}>{c.drifted ? 'drifting' : 'stable'}</Badge>
                    </td>
                    <td className="muted">{c.test}</td>
                    <td className="text-right num">{fmtP(c.pValue)}</td>
                    <td className="text-right num">{Number.isFinite(c.distance) ? formatValue(c.distance) : '∞'}</td>
                    <td className="text-right num">{formatValue(c.psi)}</td>
                    <td className="text-right num">{c.currentRows.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
        </>
      )}
    </div>
  );
}

type WindowSetting = { kind: 'time'; seconds: number } | { kind: 'count'; rows: number };

function SettingsCard({
  org,
  modelId,
  canEdit,
  policy,
  window,
  onSaved,
}: {
  org: string;
  modelId: string;
  canEdit: boolean;
  policy: string;
  window: WindowSetting;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const save = useMutation(trpc.drift.setSettings.mutationOptions());
  const [p, setP] = useState(policy);
  const [kind, setKind] = useState<WindowSetting['kind']>(window.kind);
  const [size, setSize] = useState(String(window.kind === 'time' ? window.seconds : window.rows));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = () => {
    const n = Number(size);
    save.mutate(
      {
        org,
        modelId,
        policy: p as 'notify',
        window: kind === 'time' ? { kind, seconds: n } : { kind, rows: n },
      },
      {
        onSuccess: () => {
          setMessage({ ok: true, text: 'Saved' });
          onSaved();
        },
        onError: (e) => setMessage({ ok: false, text: errorMessage(e) }),
      },
    );
  };
  return (
    <Card title="Drift policy">
      <div className="toolbar gap-2 items-end">
        <Field label="When the data drifts">
          <Select value={p} onChange={(e) => setP(e.target.value)} options={POLICY_OPTIONS} disabled={!canEdit} />
        </Field>
        <Field label="Window">
          <Select
            value={kind}
            onChange={(e) => setKind(e.target.value as WindowSetting['kind'])}
            options={[
              { value: 'time', label: 'Every N seconds' },
              { value: 'count', label: 'Every N rows' },
            ]}
            disabled={!canEdit}
          />
        </Field>
        <Field label={kind === 'time' ? 'Seconds' : 'Rows'}>
          <Input
            width="xs"
            inputMode="numeric"
            value={size}
            onChange={(e) => setSize(e.target.value)}
            disabled={!canEdit}
          />
        </Field>
        {canEdit && (
          <Button onClick={submit} disabled={save.isPending}>
            Save
          </Button>
        )}
      </div>
      {message && <Alert tone={message.ok ? 'ok' : 'error'}>{message.text}</Alert>}
    </Card>
  );
}
