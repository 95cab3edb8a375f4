'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { XMarkerSpec } from '~/components/charts';
import type { ChartPoint } from '~/server/contracts/chart-point';
import type { AlertMessage } from '~/server/contracts/predictions';
import type { BuiltinMapId } from '~/server/contracts/scenario';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { useTRPC } from '~/components/trpc/react';
import { AnomalyChart } from './anomaly-chart';
import { BirdsEye } from './birds-eye';
import { LiveCharts } from './live-charts';
import { useLiveRun, type SeriesPoint } from './use-live-run';
import { Button, Card, EmptyState, Select } from '~/components/ui';

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Reconnecting…',
  denied: 'Not allowed',
} as const;

/** How much history a late joiner gets from the offline store. */
const HISTORY_S = 300;

/** Offline-store history (window means) before the first live frame, then the live frames. */
export function withHistory(history: readonly ChartPoint[], live: readonly SeriesPoint[]): SeriesPoint[] {
  const firstLive = live[0]?.t ?? Number.POSITIVE_INFINITY;
  const before = history
    .filter((h) => h.t < firstLive)
    .map((h) => ({ ...h, fl: null, fr: null, rl: null, rr: null, tyreMax: null, worstWheel: null }));
  return [...before, ...live];
}

export function LivePanel({
  org,
  runId,
  map,
  roadNetwork,
  onAlerts,
  markers,
}: {
  org: string;
  runId: string;
  map: BuiltinMapId;
  /** the organisation's OpenDRIVE map the run drives on, when not a built-in one */
  roadNetwork?: { mapId: string; version: number };
  onAlerts?: (alerts: AlertMessage[]) => void;
  /** Events, faults and alerts of the run, drawn on every chart. */
  markers?: readonly XMarkerSpec[];
}) {
  const trpc = useTRPC();
  const [vehicle, setVehicle] = useState('ego');
  const outline = useQuery(
    trpc.runs.mapOutline.queryOptions(
      { org, map, ...(roadNetwork ? { roadNetwork: { mapId: roadNetwork.mapId, version: roadNetwork.version } } : {}) },
      { staleTime: Infinity },
    ),
  );
  const live = useLiveRun(runId, { vehicle, enabled: true });
  // Fetched once per vehicle on join: what happened before this page was opened.
  const history = useQuery(
    trpc.runs.history.queryOptions({ org, id: runId, vehicle, seconds: HISTORY_S }, { staleTime: Infinity }),
  );
  const series = useMemo(() => withHistory(history.data ?? [], live.series), [history.data, live.series]);
  // Pausing freezes what is shown; the hook keeps buffering, so "behind" grows and jump-to-live
  // shows everything that arrived meanwhile.
  // Frozen arrays keep their identity, so the memoised charts and map are not redrawn while paused.
  const [frozen, setFrozen] = useState<{ series: SeriesPoint[]; vehicles: TelemetryFrame[] } | null>(null);
  const paused = frozen !== null;
  const shown = frozen ?? { series, vehicles: [...live.latest.values()] };
  const behindS = frozen ? Math.max(0, (series.at(-1)?.t ?? 0) - (frozen.series.at(-1)?.t ?? 0)) : 0;
  const alertCount = live.alerts.length;
  useEffect(() => {
    if (alertCount > 0) onAlerts?.(live.alerts);
    // live.alerts grows in place; its length is the change to react to.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [alertCount]);
  const alerting = useMemo(() => new Set(live.alerts.map((a) => a.vehicleId)), [live.alerts]);
  const vehicleAlerts = live.alerts.filter((a) => a.vehicleId === vehicle).length;
  const cls = live.connection === 'live' ? 'badge-ok' : live.connection === 'denied' ? 'badge-bad' : 'badge-wait';
  return (
    <section className="mb-5" data-testid="live-panel">
      <div className="toolbar justify-between mb-3">
        <div className="toolbar">
          <span className={`badge ${cls}`} data-testid="live-connection">
            {CONNECTION_LABEL[live.connection]}
          </span>
          <span
            className="muted text-sm"
            data-testid="live-latency"
            title="Frame timestamp to rendered page, median of the last renders"
          >
            glass-to-glass {live.latencyMs === null ? '—' : `${live.latencyMs} ms`}
          </span>
          <span className="muted text-sm">{live.framesReceived.toLocaleString()} frames</span>
        </div>
        <div className="toolbar">
          <label className="muted text-sm flex gap-1 items-center">
            Vehicle
            <Select
              width="xs"
              className="h-sm"
              value={vehicle}
              onChange={(e) => setVehicle(e.target.value)}
              aria-label="Vehicle"
            >
              {(live.vehicles.length ? live.vehicles : ['ego']).map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </Select>
          </label>
          {paused ? (
            <>
              <span className="badge badge-wait" data-testid="paused-behind" role="status">
                Paused · {behindS.toFixed(0)} s behind
              </span>
              <Button size="sm" variant="primary" onClick={() => setFrozen(null)}>
                Jump to live
              </Button>
            </>
          ) : (
            <Button size="sm" onClick={() => setFrozen({ series, vehicles: [...live.latest.values()] })}>
              Pause
            </Button>
          )}
        </div>
      </div>
      <div className="columns-wide-right">
        <Card className="p-2 map-card">
          {outline.data ? (
            <BirdsEye outline={outline.data} vehicles={shown.vehicles} selected={vehicle} alerting={alerting} />
          ) : (
            <EmptyState>Loading map…</EmptyState>
          )}
        </Card>
        <LiveCharts series={shown.series} markers={markers} />
      </div>
      <AnomalyChart scores={live.scores} alerts={vehicleAlerts} />
    </section>
  );
}
