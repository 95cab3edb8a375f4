'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button, Card, EmptyState, Input, SectionTitle, StateBadge, Table, QueryError } from '~/components/ui';
import { formatTime } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { seriesColor, Swatch } from '~/components/charts';
import { LossChart } from '~/components/training/loss-chart';
import { fmtMetric } from '~/components/training/use-training-live';

const HEADLINE = ['rmse', 'mae', 'f1', 'precision', 'recall', 'rocAuc', 'accuracy', 'meanDetectionDelayS'];

/** An experiment's runs; tick some to compare their parameters, metrics and curves. */
export function ExperimentView({
  org,
  id,
  initialRuns,
  canEdit,
}: {
  org: string;
  id: string;
  initialRuns: string[];
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const q = useQuery(trpc.experiments.get.queryOptions({ org, id }, { refetchInterval: 10_000 }));
  const [selected, setSelected] = useState<string[]>(initialRuns);
  const compare = useQuery(
    trpc.experiments.compare.queryOptions(
      { org, runIds: selected.length ? selected : ['-'] },
      { enabled: selected.length > 0 },
    ),
  );
  const toggle = (runId: string) =>
    setSelected((s) => (s.includes(runId) ? s.filter((x) => x !== runId) : [...s, runId].slice(-8)));

  const metricKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of q.data?.runs ?? []) for (const k of Object.keys(r.metrics ?? {})) keys.add(k);
    return HEADLINE.filter((k) => keys.has(k));
  }, [q.data]);

  if (q.error)
    return (
      <QueryError error={q.error} what="experiment" backHref={`/${org}/experiments`} backLabel="Back to experiments" />
    );
  const e = q.data;
  if (!e) return <EmptyState>Loading…</EmptyState>;
  const compared = (compare.data ?? []).filter((r) => selected.includes(r.id));
  const colorOf = (runId: string) => seriesColor(selected.indexOf(runId));

  return (
    <>
      <div className="mb-4">
        <h2 className="m-0 text-xl">{e.name}</h2>
        <div className="muted text-sm mt-1">
          {e.runs.length} run{e.runs.length === 1 ? '' : 's'} · tick runs to compare them
        </div>
      </div>
      <Card flush>
        <Table data-testid="experiment-runs">
          <thead>
            <tr>
              <th className="w-3xs" />
              <th>Run</th>
              <th>State</th>
              {metricKeys.map((k) => (
                <th key={k}>{k}</th>
              ))}
              <th>Backend</th>
              <th>Tags</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {e.runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <input
                    type="checkbox"
                    checked={selected.includes(r.id)}
                    onChange={() => toggle(r.id)}
                    aria-label={`compare ${r.name}`}
                  />
                </td>
                <td>{r.jobId ? <a href={`/${org}/training/${r.jobId}`}>{r.name}</a> : r.name}</td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                {metricKeys.map((k) => (
                  <td key={k} className="num">
                    {fmtMetric(r.metrics?.[k])}
                  </td>
                ))}
                <td className="muted text-xs">{r.backend ?? '—'}</td>
                <td>
                  <TagsCell org={org} runId={r.id} tags={r.tags} canEdit={canEdit} onSaved={() => void q.refetch()} />
                </td>
                <td className="muted">{formatTime(r.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>

      {compared.length > 0 && (
        <>
          <SectionTitle>
            Compare {compared.length} run{compared.length === 1 ? '' : 's'}
          </SectionTitle>
          <Card className="mb-4">
            <LossChart
              testId="compare-chart"
              height={300}
              rows={(() => {
                const byEpoch = new Map<number, Record<string, number | null>>();
                for (const r of compared) {
                  for (const p of r.epochs) {
                    const row = byEpoch.get(p.epoch) ?? { epoch: p.epoch };
                    row[`${r.id}:val`] = p.valLoss;
                    row[`${r.id}:loss`] = p.loss;
                    byEpoch.set(p.epoch, row);
                  }
                }
                return [...byEpoch.values()].sort((a, b) => a.epoch! - b.epoch!);
              })()}
              series={compared.flatMap((r) => [
                { key: `${r.id}:val`, name: `${r.name} validation`, color: colorOf(r.id) },
                { key: `${r.id}:loss`, name: `${r.name} training`, color: colorOf(r.id), dashed: true },
              ])}
            />
          </Card>
          <Card flush className="overflow-x-auto">
            <Table data-testid="compare-table">
              <thead>
                <tr>
                  <th />
                  {compared.map((r) => (
                    <th key={r.id}>
                      <Swatch color={colorOf(r.id)} />
                      {r.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[...new Set(compared.flatMap((r) => Object.keys(r.metrics ?? {})))].sort().map((k) => (
                  <tr key={`m-${k}`}>
                    <td className="muted">{k}</td>
                    {compared.map((r) => (
                      <td key={r.id} className="num">
                        {fmtMetric(r.metrics?.[k])}
                      </td>
                    ))}
                  </tr>
                ))}
                {[...new Set(compared.flatMap((r) => Object.keys(r.params)))].sort().map((k) => (
                  <tr key={`p-${k}`}>
                    <td className="muted">param {k}</td>
                    {compared.map((r) => (
                      <td key={r.id}>{r.params[k] === undefined ? 'default' : JSON.stringify(r.params[k])}</td>
                    ))}
                  </tr>
                ))}
                <tr>
                  <td className="muted">dataset</td>
                  {compared.map((r) => (
                    <td key={r.id} className="font-mono text-xs">
                      {r.datasetFingerprint.slice(0, 19)}…
                    </td>
                  ))}
                </tr>
              </tbody>
            </Table>
          </Card>
        </>
      )}
    </>
  );
}

/** A run's tags, editable inline by engineers (comma-separated). */
function TagsCell({
  org,
  runId,
  tags,
  canEdit,
  onSaved,
}: {
  org: string;
  runId: string;
  tags: string[];
  canEdit: boolean;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const save = useMutation(trpc.experiments.setTags.mutationOptions());
  const [editing, setEditing] = useState<string | null>(null);
  if (editing !== null) {
    return (
      <form
        className="toolbar gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(
            {
              org,
              id: runId,
              tags: editing
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
            },
            { onSuccess: () => (setEditing(null), onSaved()) },
          );
        }}
      >
        <Input
          width="sm"
          className="input-sm"
          value={editing}
          onChange={(e) => setEditing(e.target.value)}
          aria-label="Tags"
          autoFocus
        />
        <Button variant="primary" size="sm" type="submit" disabled={save.isPending}>
          Save
        </Button>
        <Button size="sm" type="button" onClick={() => setEditing(null)}>
          Cancel
        </Button>
      </form>
    );
  }
  return (
    <span className="toolbar gap-1">
      {tags.map((t) => (
        <span key={t} className="role-pill normal-case">
          {t}
        </span>
      ))}
      {canEdit && (
        <Button variant="link" className="text-xs p-0" onClick={() => setEditing(tags.join(', '))}>
          {tags.length ? 'edit' : 'add tags'}
        </Button>
      )}
    </span>
  );
}
