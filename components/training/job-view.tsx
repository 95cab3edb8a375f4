'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import {
  Card,
  ConfirmButton,
  EmptyState,
  ProgressBar,
  SectionTitle,
  Stat,
  StateBadge,
  QueryError,
} from '~/components/ui';
import { errorMessage } from '~/components/trpc/error-message';
import { Time } from '~/components/ui/time';
import { useTRPC } from '~/components/trpc/react';
import type { TrainingProgress } from '~/server/contracts/training';
import { CHART_TONE } from '~/components/charts';
import { METRIC_ORDER, metricLabel } from '~/components/metrics/compare';
import { LossChart } from './loss-chart';
import { fmtMetric, formatEta, KIND_LABELS, useTrainingLive } from './use-training-live';

type Point = { epoch: number; loss: number | null; valLoss: number | null };

/** One training job: state, progress, live loss and validation curves, final metrics and the model version. */
export function JobView({ org, id, canRun }: { org: string; id: string; canRun: boolean }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery(
    trpc.training.get.queryOptions(
      { org, id },
      { refetchInterval: (s) => (s.state.data && ['queued', 'running'].includes(s.state.data.state) ? 5000 : false) },
    ),
  );
  const cancel = useMutation(trpc.training.cancel.mutationOptions());
  const [live, setLive] = useState<{ runId: string | null; points: Point[]; last: TrainingProgress | null }>({
    runId: null,
    points: [],
    last: null,
  });

  const onUpdates = useCallback(
    (updates: TrainingProgress[]) => {
      setLive((prev) => {
        let { runId, points, last } = prev;
        for (const u of updates) {
          if (u.runId !== runId) {
            // A retry starts a new experiment run: its curve starts again.
            runId = u.runId;
            points = [];
          }
          if (u.epoch > 0 && u.state === 'running' && !points.some((p) => p.epoch === u.epoch))
            points = [...points, { epoch: u.epoch, loss: u.loss, valLoss: u.valLoss }];
          last = u;
        }
        return { runId, points, last };
      });
      if (updates.some((u) => u.state !== 'running')) void q.refetch();
    },
    [q],
  );
  const connection = useTrainingLive(`job:${id}`, onUpdates);

  const j = q.data;
  const points = useMemo(() => {
    const stored: Point[] = j?.run?.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss })) ?? [];
    // Live points of a newer run (a retry the page has not refetched yet) replace the stored curve.
    const sameRun = !live.runId || live.runId === j?.run?.id;
    const byEpoch = new Map<number, Point>();
    for (const p of sameRun ? [...stored, ...live.points] : live.points) byEpoch.set(p.epoch, p);
    return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  }, [j, live]);

  if (q.error)
    return (
      <QueryError error={q.error} what="training job" backHref={`/${org}/training`} backLabel="Back to training" />
    );
  if (!j) return <EmptyState>Loading…</EmptyState>;
  const fresh =
    live.last && live.last.runId === j.experimentRunId && ['queued', 'running'].includes(j.state) ? live.last : null;
  const state = fresh?.state ?? j.state;
  const epoch = fresh?.epoch ?? j.epoch;
  const maxEpochs = fresh?.maxEpochs ?? j.maxEpochs;
  const progress = fresh?.progress ?? j.progress;
  const eta = fresh?.etaMs ?? j.etaMs;
  const metrics = j.run?.metrics ?? null;
  const shown = metrics ? METRIC_ORDER.filter((k) => metrics[k] !== undefined && metrics[k] !== null) : [];

  return (
    <>
      <div className="toolbar justify-between mb-4">
        <div>
          <h2 className="m-0 text-xl">
            {KIND_LABELS[j.kind] ?? j.kind} → {j.modelName}
          </h2>
          <div className="muted text-sm mt-1">
            <a href={`/${org}/datasets/${j.dataset.id}`}>
              {j.dataset.name} v{j.dataset.version}
            </a>{' '}
            · experiment <a href={`/${org}/experiments/${j.experiment.id}`}>{j.experiment.name}</a> · created{' '}
            <Time value={j.createdAt} />
          </div>
        </div>
        <div className="toolbar">
          {/* The live badge is about updates still to come: a finished job has none. */}
          {(state === 'queued' || state === 'running') && (
            <span
              className={`badge ${connection === 'live' ? 'badge-ok' : connection === 'connecting' ? 'badge-wait' : 'badge-bad'}`}
              data-testid="live-connection"
            >
              {connection}
            </span>
          )}
          <StateBadge state={state} />
          {canRun && (state === 'queued' || state === 'running') && (
            <ConfirmButton
              disabled={j.cancelRequested}
              title="Cancel this training job?"
              message={
                state === 'running'
                  ? `It stops after the current epoch (${epoch} of ${maxEpochs || '…'}); no model version is registered.`
                  : 'It leaves the queue and never runs.'
              }
              confirmLabel="Cancel job"
              onConfirm={() =>
                cancel.mutate(
                  { org, id },
                  { onError: (e) => setError(errorMessage(e)), onSettled: () => void q.refetch() },
                )
              }
            >
              {j.cancelRequested ? 'Stopping…' : 'Cancel'}
            </ConfirmButton>
          )}
        </div>
      </div>
      {error && <div className="alert alert-error">{error}</div>}
      {j.error && <div className={`alert ${state === 'failed' ? 'alert-error' : 'alert-info'}`}>{j.error}</div>}

      <Card className="mb-4">
        <div className="toolbar justify-between text-sm mb-2">
          {state === 'queued' && j.queue ? (
            <span data-testid="queue-place">
              Queued · position {j.queue.position} of {j.queue.queued} in this organization&apos;s queue ·{' '}
              {j.queue.expectedStartInMs === null
                ? 'start time unknown (no finished jobs to estimate from)'
                : j.queue.expectedStartInMs < 5_000
                  ? 'starts when a trainer picks it up'
                  : `expected to start in about ${formatEta(j.queue.expectedStartInMs)}`}
            </span>
          ) : (
            <span data-testid="job-epoch">
              Epoch {epoch} of {maxEpochs || '…'}
            </span>
          )}
          <span className="muted">
            {state === 'running'
              ? `ETA ${formatEta(eta)} (at most; early stopping may end sooner)`
              : state === 'queued'
                ? `waiting for a trainer · attempt ${j.attempts + 1} of ${j.maxAttempts}`
                : `attempt ${j.attempts} of ${j.maxAttempts}`}
          </span>
        </div>
        <ProgressBar value={state === 'completed' ? 1 : progress} label="Training progress" />
        <div className="kpi-grid mt-4">
          <Stat label="Training loss" value={fmtMetric(fresh?.loss ?? j.loss)} testId="job-loss" />
          <Stat label="Validation loss" value={fmtMetric(fresh?.valLoss ?? j.valLoss)} />
          <Stat label="Backend" value={j.backend ?? '—'} small />
          <Stat
            label="Model version"
            value={
              j.modelVersion ? (
                <a
                  href={`/${org}/models/${j.modelVersion.modelId}?version=${j.modelVersion.version}`}
                  data-testid="model-version-link"
                >
                  {j.modelVersion.modelName} v{j.modelVersion.version}
                </a>
              ) : (
                '—'
              )
            }
            small
          />
        </div>
      </Card>

      <SectionTitle>Loss by epoch</SectionTitle>
      <Card>
        {points.length === 0 ? (
          <EmptyState>
            {state === 'queued' ? 'The curves appear when a trainer starts the job.' : 'No epochs yet.'}
          </EmptyState>
        ) : (
          <LossChart
            testId="loss-chart"
            rows={points.map((p) => ({ epoch: p.epoch, loss: p.loss, valLoss: p.valLoss }))}
            series={[
              { key: 'loss', name: 'training loss', color: CHART_TONE.accent },
              { key: 'valLoss', name: 'validation loss', color: CHART_TONE.warn },
            ]}
          />
        )}
      </Card>

      {shown.length > 0 && (
        <>
          <SectionTitle>
            Final metrics{j.run?.metrics?.evaluatedRows ? ` (${j.run.metrics.evaluatedRows} held-out rows)` : ''}
          </SectionTitle>
          <Card>
            <div className="kpi-grid" data-testid="job-metrics">
              {shown.map((k) => (
                <Stat
                  key={k}
                  label={metricLabel(k)}
                  value={k === 'detectionRate' ? `${Math.round(metrics![k]! * 100)}%` : fmtMetric(metrics![k])}
                />
              ))}
            </div>
          </Card>
        </>
      )}

      <SectionTitle>Parameters</SectionTitle>
      <Card>
        <table className="kv">
          <tbody>
            <tr>
              <td>Kind</td>
              <td>{j.kind}</td>
            </tr>
            <tr>
              <td>Dataset fingerprint</td>
              <td className="font-mono text-xs">{j.dataset.fingerprint}</td>
            </tr>
            <tr>
              <td>Split</td>
              <td>by {j.dataset.groupBy}</td>
            </tr>
            {Object.entries(j.params as Record<string, unknown>).map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td>{JSON.stringify(v)}</td>
              </tr>
            ))}
            {Object.keys(j.params as object).length === 0 && (
              <tr>
                <td>Hyperparameters</td>
                <td>defaults of the kind</td>
              </tr>
            )}
            {j.tags.length > 0 && (
              <tr>
                <td>Tags</td>
                <td>{j.tags.join(', ')}</td>
              </tr>
            )}
            {j.run && (
              <tr>
                <td>Experiment run</td>
                <td>
                  <a href={`/${org}/experiments/${j.experiment.id}?runs=${j.run.id}`}>{j.run.name}</a>
                </td>
              </tr>
            )}
            {j.run?.state === 'completed' && (
              <tr>
                <td>Artifacts</td>
                <td className="toolbar gap-3" data-testid="run-artifacts">
                  {[
                    ['onnx', 'ONNX model'],
                    ['tfjs', 'tfjs model'],
                    ['sidecar', 'sidecar'],
                    ['normalisation', 'normalisation'],
                    ['features', 'feature list'],
                    ['dataset', 'dataset lineage'],
                  ].map(([name, label]) => (
                    <a
                      key={name}
                      href={`/api/v1/experiments/runs/${j.run!.id}/artifacts/${name}?org=${encodeURIComponent(org)}`}
                    >
                      {label}
                    </a>
                  ))}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </Card>
    </>
  );
}
