'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { ButtonLink, Card, EmptyState, ProgressBar, StateBadge, Table } from '~/components/ui';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import type { TrainingProgress } from '~/server/contracts/training';
import { fmtMetric, formatEta, KIND_LABELS, useTrainingLive } from './use-training-live';
import { SchedulesPanel } from './schedules-panel';

/** Training jobs of the org with live progress bars (org room of /live), and retraining schedules. */
export function JobList({ org, canRun }: { org: string; canRun: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.training.list.queryOptions({ org }, { refetchInterval: 10_000 }));
  const [live, setLive] = useState<Record<string, TrainingProgress>>({});
  const onUpdates = useCallback(
    (updates: TrainingProgress[]) => {
      setLive((prev) => ({ ...prev, ...Object.fromEntries(updates.map((u) => [u.jobId, u])) }));
      if (updates.some((u) => u.state !== 'running')) void list.refetch();
    },
    [list],
  );
  useTrainingLive(`org:${org}`, onUpdates);

  return (
    <>
      {canRun && (
        <div className="toolbar justify-end mb-3">
          <ButtonLink variant="primary" href={`/${org}/training/new`}>
            New training job
          </ButtonLink>
        </div>
      )}
      <Card flush>
        {list.data && list.data.length === 0 ? (
          <EmptyState>
            No training jobs yet. Build a dataset, then train an anomaly detector, a classifier or a RUL model on it.
          </EmptyState>
        ) : (
          <Table data-testid="training-jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Dataset</th>
                <th>State</th>
                <th className="w-lg">Progress</th>
                <th>Val loss</th>
                <th>Model</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((j) => {
                const l = live[j.id];
                const running = l && (j.state === 'running' || j.state === 'queued') ? l : null;
                const state = running?.state ?? j.state;
                const progress = state === 'completed' ? 1 : (running?.progress ?? j.progress);
                return (
                  <tr key={j.id}>
                    <td>
                      <a href={`/${org}/training/${j.id}`}>{KIND_LABELS[j.kind] ?? j.kind}</a>
                      <div className="muted text-xs">{j.experimentName}</div>
                    </td>
                    <td>
                      <a href={`/${org}/datasets/${j.dataset.id}`}>{j.dataset.name}</a>{' '}
                      <span className="muted">v{j.dataset.version}</span>
                    </td>
                    <td>
                      <StateBadge state={state} />
                    </td>
                    <td>
                      <div className="muted text-xs mb-1">
                        epoch {running?.epoch ?? j.epoch}
                        {(running?.maxEpochs ?? j.maxEpochs) ? ` / ${running?.maxEpochs ?? j.maxEpochs}` : ''}
                        {state === 'running' ? ` · ETA ${formatEta(running?.etaMs ?? j.etaMs)}` : ''}
                      </div>
                      <ProgressBar value={progress} label="Training progress" />
                    </td>
                    <td>{fmtMetric(running?.valLoss ?? j.valLoss)}</td>
                    <td>{j.modelVersionId ? j.modelName : <span className="muted">{j.modelName}</span>}</td>
                    <td className="muted">{relative(j.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <SchedulesPanel org={org} canRun={canRun} />
    </>
  );
}
