'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import {
  Button,
  Card,
  cx,
  EmptyState,
  Input,
  QueryError,
  SectionTitle,
  StateBadge,
  Table,
  Time,
  Toolbar,
} from '~/components/ui';
import { useTRPC } from '~/components/trpc/react';
import { ParallelCoordinates, seriesColor, Swatch } from '~/components/charts';
import { LossChart } from '~/components/training/loss-chart';
import { fmtMetric } from '~/components/training/use-training-live';
import {
  bestFirst,
  compareSections,
  formatParam,
  metricDirection,
  metricLabel,
  orderMetrics,
  sortByMetric,
  type CompareRun,
  type SortDir,
} from '~/components/metrics/compare';

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
  const [sort, setSort] = useState<{ key: string; dir: SortDir } | null>(null);
  const [diffOnly, setDiffOnly] = useState(false);
  const compare = useQuery(
    trpc.experiments.compare.queryOptions(
      { org, runIds: selected.length ? selected : ['-'] },
      { enabled: selected.length > 0 },
    ),
  );
  const toggle = (runId: string) =>
    setSelected((s) => (s.includes(runId) ? s.filter((x) => x !== runId) : [...s, runId].slice(-8)));

  const metricKeys = useMemo(
    () => orderMetrics((q.data?.runs ?? []).flatMap((r) => Object.keys(r.metrics ?? {}))).filter(headline),
    [q.data],
  );
  const runs = useMemo(() => {
    const all = q.data?.runs ?? [];
    return sort ? sortByMetric(all, sort.key, sort.dir) : all;
  }, [q.data, sort]);

  if (q.error)
    return (
      <QueryError error={q.error} what="experiment" backHref={`/${org}/experiments`} backLabel="Back to experiments" />
    );
  const e = q.data;
  if (!e) return <EmptyState>Loading…</EmptyState>;
  // In the order the runs were ticked, so colours stay put when another run is added.
  const compared = selected.flatMap((sid) => (compare.data ?? []).filter((r) => r.id === sid));
  const colorOf = (runId: string) => seriesColor(selected.indexOf(runId));
  const sections = compareSections(
    compared.map((r) => ({ ...r, params: { ...r.params, dataset: r.datasetFingerprint } })),
    diffOnly,
  );
  const sortBy = (key: string) =>
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: bestFirst(key) }));

  return (
    <>
      <div className="mb-4">
        <h2 className="m-0 text-xl">{e.name}</h2>
        <div className="muted text-sm mt-1">
          {e.runs.length} run{e.runs.length === 1 ? '' : 's'} · tick runs to compare them · click a metric to sort
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
                <th
                  key={k}
                  className="num"
                  aria-sort={sort?.key === k ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button
                    type="button"
                    className="sort-button"
                    data-testid={`sort-${k}`}
                    title={metricDirection(k) ? `${metricDirection(k)} is better` : undefined}
                    onClick={() => sortBy(k)}
                  >
                    {metricLabel(k)}
                    {sort?.key === k ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th>Backend</th>
              <th>Tags</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-run={r.name}>
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
                <td className="muted">
                  <Time value={r.startedAt} />
                </td>
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
          {compared.length > 1 && (
            <Card className="mb-4">
              <h3 className="mt-0 text-base">Hyper-parameters against the result</h3>
              <p className="sub mt-0">One line per run: settings on the left, its metric on the right.</p>
              <ParallelCoordinates
                testId="parallel-chart"
                axes={parallelAxes(compared)}
                lines={compared.map((r) => ({
                  id: r.id,
                  name: r.name,
                  color: colorOf(r.id),
                  values: { ...r.params, ...(r.metrics ?? {}) },
                }))}
              />
            </Card>
          )}
          <Toolbar className="mb-2">
            <label className="toolbar gap-1 text-sm">
              <input
                type="checkbox"
                checked={diffOnly}
                onChange={(ev) => setDiffOnly(ev.target.checked)}
                data-testid="diff-only"
              />
              Show only differences
            </label>
            <span className="muted text-xs">Best value in each metric row is highlighted.</span>
          </Toolbar>
          <Card flush className="overflow-x-auto">
            <Table data-testid="compare-table">
              <thead>
                <tr>
                  <th />
                  {compared.map((r) => (
                    <th key={r.id} className="num">
                      <Swatch color={colorOf(r.id)} />
                      {r.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody data-testid="compare-metrics">
                <tr>
                  <th colSpan={compared.length + 1} scope="colgroup">
                    Metrics
                  </th>
                </tr>
                {sections.metrics.length === 0 && (
                  <tr>
                    <td colSpan={compared.length + 1} className="muted">
                      {diffOnly ? 'Every metric is the same in these runs.' : 'No metrics yet.'}
                    </td>
                  </tr>
                )}
                {sections.metrics.map((row) => (
                  <tr key={`m-${row.key}`} data-row={row.key}>
                    <td className="muted">{row.label}</td>
                    {row.values.map((v, i) => {
                      const best = row.best.includes(i);
                      return (
                        <td
                          key={compared[i]!.id}
                          className={cx('num', best && 'cell-best')}
                          data-best={best || undefined}
                        >
                          {fmtMetric(v as number | null)}
                          {best && <span className="sr-only"> (best)</span>}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
              <tbody data-testid="compare-params">
                <tr>
                  <th colSpan={compared.length + 1} scope="colgroup">
                    Parameters
                  </th>
                </tr>
                {sections.params.length === 0 && (
                  <tr>
                    <td colSpan={compared.length + 1} className="muted">
                      {diffOnly ? 'Every parameter is the same in these runs.' : 'No parameters.'}
                    </td>
                  </tr>
                )}
                {sections.params.map((row) => (
                  <tr key={`p-${row.key}`} data-row={row.key}>
                    <td className="muted">{row.key === 'dataset' ? 'Dataset version' : row.label}</td>
                    {row.values.map((v, i) =>
                      row.key === 'dataset' ? (
                        <td key={compared[i]!.id} className="num font-mono text-xs">
                          {String(v).slice(0, 19)}…
                        </td>
                      ) : (
                        // Right-aligned like the metrics, so each run's values line up under its name.
                        <td key={compared[i]!.id} className="num">
                          {formatParam(v)}
                        </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
        </>
      )}
    </>
  );
}

/** Metrics worth a column in the runs table: those with a direction (quality), not bookkeeping. */
const headline = (k: string) => metricDirection(k) !== undefined;

/**
 * Axes of the parallel chart: the parameters that differ between the runs (all of them when none
 * do), then the headline metrics.
 */
function parallelAxes(runs: readonly CompareRun[]) {
  const { params } = compareSections(runs, false);
  const varied = params.filter((p) => p.differs);
  // The metrics that tell these runs apart (all headline ones when none does), at most three.
  const headlines = compareSections(runs, false).metrics.filter((m) => headline(m.key));
  const metrics = (headlines.some((m) => m.differs) ? headlines.filter((m) => m.differs) : headlines)
    .map((m) => m.key)
    .slice(0, 3);
  return [
    ...(varied.length ? varied : params).map((p) => ({ key: p.key, label: p.label })),
    ...metrics.map((k) => ({ key: k, label: metricLabel(k) })),
  ];
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
            {
              onSuccess: () => {
                setEditing(null);
                onSaved();
              },
            },
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
