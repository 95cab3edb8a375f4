'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { displayValue, formatPercent } from '~/components/ui/format';
import { Time } from '~/components/ui/time';
import { useTRPC } from '~/components/trpc/react';
import { LivePanel } from '~/components/live/live-panel';
import { AlertWhy } from './alert-why';
import { ReplayPanel } from '~/components/live/replay-panel';
import type { AlertMessage } from '~/server/contracts/predictions';
import type { BuiltinMapId } from '~/server/contracts/scenario';
import {
  Alert,
  Badge,
  ButtonLink,
  Card,
  ConfirmButton,
  EmptyState,
  ProgressBar,
  QueryError,
  SectionTitle,
  StateBadge,
  Table,
} from '~/components/ui';

const ACTIVE = new Set(['queued', 'running']);
// A run's state and its events reach the database through two consumers, so a run can read as
// finished a moment before its last events are stored: keep reading until the closing event is
// there, for at most this long after the finish.
const EVENTS_GRACE_MS = 30_000;

/** Nothing more will change: the run ended and its events are complete (or the grace is over). */
function settled(r: { state: string; finishedAt: Date | null; events: { type: string }[] }): boolean {
  if (ACTIVE.has(r.state)) return false;
  if (r.events.some((e) => e.type === 'run_finished')) return true;
  return !r.finishedAt || Date.now() - new Date(r.finishedAt).getTime() > EVENTS_GRACE_MS;
}
const EVENT_LABELS: Record<string, string> = {
  collision: 'Collision',
  lane_invasion: 'Lane invasion',
  near_miss: 'Near miss',
  hard_brake: 'Hard brake',
  red_light_violation: 'Red light',
  fault_start: 'Fault starts',
  fault_end: 'Fault ends',
  run_started: 'Run started',
  run_finished: 'Run finished',
};

function describeEvent(type: string, data: Record<string, unknown> | null): string {
  if (!data) return '';
  switch (type) {
    case 'collision':
      return `with ${String(data.otherKind)} ${String(data.otherId)} at ${Number(data.relativeSpeed).toFixed(1)} m/s`;
    case 'near_miss':
      return `TTC ${Number(data.ttc).toFixed(2)} s to ${String(data.otherId)}`;
    case 'hard_brake':
      return `${Number(data.decel).toFixed(1)} m/s² at ${Number(data.speed).toFixed(1)} m/s`;
    case 'fault_start':
    case 'fault_end':
      return `${String(data.faultType).replace(/_/g, ' ')}${data.sensor ? ` (${displayValue(data.sensor)})` : ''}, severity ${Number(data.severity).toFixed(2)}`;
    case 'run_finished':
      return `${String(data.reason)}, ${String(data.frames)} frames`;
    case 'run_started':
      return `${String(data.map)}, ${String(data.vehicles)} vehicles at ${String(data.rateHz)} Hz`;
    default:
      return Object.entries(data)
        .filter(([k]) => k !== 'at')
        .map(([k, v]) => `${k}: ${typeof v === 'number' ? v.toFixed(2) : String(v)}`)
        .join(', ');
  }
}

export function RunView({ org, runId, canRun }: { org: string; runId: string; canRun: boolean }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  // The replay hands over its seek function; timeline rows call it to move every chart and the map.
  const seekRef = useRef<((t: number) => void) | null>(null);
  const onSeekEvent = useCallback((seek: (t: number) => void) => {
    seekRef.current = seek;
  }, []);
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { org, id: runId },
      { refetchInterval: (q) => (q.state.data && settled(q.state.data) ? false : 1000) },
    ),
  );
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const active = run.data ? ACTIVE.has(run.data.state) : true;
  const stored = useQuery(
    trpc.inference.runAlerts.queryOptions({ org, runId }, { refetchInterval: active ? 2000 : false }),
  );
  const [liveAlerts, setLiveAlerts] = useState<AlertMessage[]>([]);
  const r = run.data;
  if (run.error) return <QueryError error={run.error} what="run" backHref={`/${org}/runs`} backLabel="Back to runs" />;
  if (!r) return <EmptyState>Loading…</EmptyState>;
  const k = r.kpis;
  const alerts = new Map<
    string,
    {
      id: string;
      vehicleId: string;
      modelName: string;
      alias: string;
      windowEnd: number;
      score: number;
      threshold: number;
      k?: number;
      n?: number;
    }
  >();
  for (const a of stored.data ?? []) alerts.set(a.id, a);
  for (const a of liveAlerts) if (a.runId === r.id && !alerts.has(a.id)) alerts.set(a.id, a);
  const timeline = [
    ...r.events.map((e) => ({
      key: e.id,
      t: e.t,
      label: EVENT_LABELS[e.type] ?? e.type,
      vehicleId: e.vehicleId,
      detail: describeEvent(e.type, e.data),
      alert: false,
    })),
    ...[...alerts.values()].map((a) => ({
      key: a.id,
      t: a.windowEnd,
      label: 'Anomaly alert',
      vehicleId: a.vehicleId,
      detail: `${a.modelName} (${a.alias}) scored ${a.score.toFixed(3)} > ${a.threshold.toFixed(3)}${a.k ? `, ${a.k} of the last ${a.n} windows` : ''}`,
      alert: true,
    })),
  ].sort((a, b) => a.t - b.t);
  // Faults, storyboard events and alerts on every chart (the most telling ones, bounded).
  const markers = timeline.slice(0, 60).map((e) => ({
    x: e.t,
    label: e.label,
    color: e.alert ? 'var(--bad)' : 'var(--warn)',
  }));
  const canSeek = !ACTIVE.has(r.state) && r.simTime > 0;
  return (
    <>
      <div className="toolbar justify-between mb-4">
        <div>
          <h2 className="m-0 text-xl">
            <a href={`/${org}/scenarios/${r.scenarioId}`}>{r.scenarioName}</a>{' '}
            <span className="muted">v{r.version}</span>
          </h2>
          <div className="muted text-sm mt-1">
            Run {r.id} · created <Time value={r.createdAt} />
            {r.params &&
              Object.keys(r.params).length > 0 &&
              ` · ${Object.entries(r.params)
                .map(([p, v]) => `${p} = ${String(v)}`)
                .join(', ')}`}
          </div>
        </div>
        <div className="toolbar">
          <StateBadge state={r.state} />
          {canRun && ACTIVE.has(r.state) && (
            <ConfirmButton
              disabled={cancel.isPending}
              title="Cancel this run?"
              message={`The simulation stops at ${r.simTime.toFixed(0)} s. A cancelled run keeps its recording so far but gets no driving score.`}
              confirmLabel="Cancel run"
              onConfirm={async () => {
                setError(null);
                try {
                  await cancel.mutateAsync({ org, id: r.id });
                  await run.refetch();
                } catch (e) {
                  setError(errorMessage(e));
                }
              }}
            >
              Cancel run
            </ConfirmButton>
          )}
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {r.error && <div className="alert alert-error">{r.error}</div>}
      <Card className="mb-4">
        <div className="toolbar justify-between mb-2 text-sm">
          <span>
            {r.state === 'queued' ? 'Waiting for a simulator worker…' : `${r.simTime.toFixed(1)} s simulated`}
            {r.realTimeFactor ? ` · ${r.realTimeFactor.toFixed(1)}× real time` : ''}
          </span>
          <span data-testid="run-progress">{formatPercent(r.progress)}</span>
        </div>
        <ProgressBar value={r.progress} label="Run progress" />
      </Card>
      {ACTIVE.has(r.state) && (
        <LivePanel
          org={org}
          runId={r.id}
          map={(r.spec as { map: BuiltinMapId }).map}
          roadNetwork={(r.spec as { roadNetwork?: { mapId: string; version: number } }).roadNetwork}
          onAlerts={setLiveAlerts}
          markers={markers}
        />
      )}
      {!ACTIVE.has(r.state) && r.simTime > 0 && (
        <>
          <SectionTitle
            actions={
              <ButtonLink size="sm" href={`/api/v1/runs/${r.id}/recording?org=${org}`} download>
                Download recording (.mcap)
              </ButtonLink>
            }
          >
            Replay
          </SectionTitle>
          <ReplayPanel
            org={org}
            runId={r.id}
            map={(r.spec as { map: BuiltinMapId }).map}
            roadNetwork={(r.spec as { roadNetwork?: { mapId: string; version: number } }).roadNetwork}
            duration={r.simTime}
            onSeekEvent={onSeekEvent}
            markers={markers}
          />
        </>
      )}
      {k ? (
        <div className="kpi-grid" data-testid="run-kpis">
          <div className="card kpi">
            <div className="label">Driving score</div>
            <div className="value" data-testid="kpi-driving-score">
              {(k.drivingScore * 100).toFixed(1)}
            </div>
          </div>
          <div className="card kpi">
            <div className="label">Route completion</div>
            <div className="value">{(k.routeCompletion * 100).toFixed(1)}%</div>
          </div>
          <div className="card kpi">
            <div className="label">Collisions</div>
            <div className="value">{k.collisions.total}</div>
          </div>
          <div className="card kpi">
            <div className="label">Infractions</div>
            <div className="value">{k.infractions.total}</div>
          </div>
          <div className="card kpi">
            <div className="label">Min TTC</div>
            <div className="value">{k.minTtc === null ? '—' : `${k.minTtc.toFixed(2)} s`}</div>
          </div>
          <div className="card kpi">
            <div className="label">Distance</div>
            <div className="value">{(k.distanceM / 1000).toFixed(2)} km</div>
          </div>
        </div>
      ) : (
        <p className="muted">KPIs appear when the run finishes.</p>
      )}
      <SectionTitle>Event timeline</SectionTitle>
      <Card flush className="max-h-md overflow-auto">
        {timeline.length === 0 ? (
          <EmptyState>No events yet.</EmptyState>
        ) : (
          <Table data-testid="event-timeline">
            <tbody>
              {timeline.map((e) => (
                <tr
                  key={e.key}
                  className={e.alert ? 'row-alert' : undefined}
                  data-testid={e.alert ? 'timeline-alert' : undefined}
                >
                  <td className="muted w-2xs num">
                    {canSeek ? (
                      <button
                        type="button"
                        className="btn-link"
                        data-testid="timeline-seek"
                        aria-label={`Show ${e.label} at ${e.t.toFixed(2)} s in the replay`}
                        onClick={() => {
                          seekRef.current?.(e.t);
                          document.querySelector('[data-testid="replay-panel"]')?.scrollIntoView({ block: 'start' });
                        }}
                      >
                        {e.t.toFixed(2)} s
                      </button>
                    ) : (
                      `${e.t.toFixed(2)} s`
                    )}
                  </td>
                  <td className="w-sm">{e.alert ? <Badge tone="bad">{e.label}</Badge> : e.label}</td>
                  <td className="muted w-xs">{e.vehicleId ?? 'run'}</td>
                  <td className="text-sm">
                    {e.detail}
                    {e.alert && <AlertWhy org={org} alertId={e.key} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
