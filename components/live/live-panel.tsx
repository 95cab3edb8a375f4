'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AlertMessage } from '~/server/contracts/predictions';
import type { BuiltinMapId } from '~/server/contracts/scenario';
import { useTRPC } from '~/components/trpc/react';
import { AnomalyChart } from './anomaly-chart';
import { BirdsEye } from './birds-eye';
import { LiveCharts } from './live-charts';
import { useLiveRun } from './use-live-run';
import { Button, Card, EmptyState, Select } from '~/components/ui';

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Reconnecting…',
  denied: 'Not allowed',
} as const;

export function LivePanel({
  org,
  runId,
  map,
  roadNetwork,
  onAlerts,
}: {
  org: string;
  runId: string;
  map: BuiltinMapId;
  /** the organisation's OpenDRIVE map the run drives on, when not a built-in one */
  roadNetwork?: { mapId: string; version: number };
  onAlerts?: (alerts: AlertMessage[]) => void;
}) {
  const trpc = useTRPC();
  const [vehicle, setVehicle] = useState('ego');
  const [paused, setPaused] = useState(false);
  const outline = useQuery(
    trpc.runs.mapOutline.queryOptions(
      { org, map, ...(roadNetwork ? { roadNetwork: { mapId: roadNetwork.mapId, version: roadNetwork.version } } : {}) },
      { staleTime: Infinity },
    ),
  );
  const live = useLiveRun(runId, { vehicle, paused, enabled: true });
  const alertCount = live.alerts.length;
  useEffect(() => {
    if (alertCount > 0) onAlerts?.(live.alerts);
    // live.alerts grows in place; its length is the change to react to.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [alertCount]);
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
          <Button size="sm" onClick={() => setPaused(!paused)}>
            {paused ? 'Resume' : 'Pause'}
          </Button>
        </div>
      </div>
      <div className="columns-wide-right">
        <Card className="p-2">
          {outline.data ? (
            <BirdsEye outline={outline.data} vehicles={[...live.latest.values()]} selected={vehicle} />
          ) : (
            <EmptyState>Loading map…</EmptyState>
          )}
        </Card>
        <LiveCharts series={live.series} />
      </div>
      <AnomalyChart scores={live.scores} alerts={vehicleAlerts} />
    </section>
  );
}
