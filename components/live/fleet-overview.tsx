'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { SimEvent } from '~/server/contracts/events';
import type { AlertMessage } from '~/server/contracts/predictions';
import type { RunStatus } from '~/server/contracts/run-status';
import { Badge, Card, EmptyState, ProgressBar, SectionTitle, Stat, StateBadge, Table } from '~/components/ui';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';

const EVENT_LABEL: Record<string, string> = {
  collision: 'Collision',
  near_miss: 'Near miss',
  fault_start: 'Fault',
  red_light_violation: 'Red light',
};

/** The org's fleet right now: runs in flight (live over the org room), notable events, pipeline health. */
export function FleetOverview({ org }: { org: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const overview = useQuery(trpc.fleet.overview.queryOptions({ org }, { refetchInterval: 10_000 }));
  const alertSummary = useQuery(trpc.inference.alertSummary.queryOptions({ org }, { refetchInterval: 10_000 }));
  const [liveAlerts, setLiveAlerts] = useState<AlertMessage[]>([]);
  const pipeline = useQuery(trpc.fleet.pipeline.queryOptions({ org }, { refetchInterval: 3000, retry: false }));
  const vehicles = useQuery(trpc.fleet.vehicles.queryOptions({ org }, { refetchInterval: 2000 }));
  const [statuses, setStatuses] = useState<Record<string, RunStatus>>({});
  const [liveEvents, setLiveEvents] = useState<SimEvent[]>([]);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const socket = io('/live', { path: '/socket.io', transports: ['websocket', 'polling'] });
    socket.on('connect', () => {
      setConnected(true);
      socket.emit('join', { room: `org:${org}` });
    });
    socket.on('disconnect', () => setConnected(false));
    socket.on('batch', (b: { events: SimEvent[]; status: RunStatus | null; alerts?: AlertMessage[] }) => {
      if (b.alerts?.length) setLiveAlerts((prev) => [...b.alerts!, ...prev].slice(0, 200));
      if (b.status) {
        const s = b.status;
        setStatuses((prev) => ({ ...prev, [s.runId]: s }));
        if (s.state !== 'running') void qc.invalidateQueries({ queryKey: trpc.fleet.overview.queryKey() });
      }
      const notable = b.events.filter((e) => e.type in EVENT_LABEL);
      if (notable.length) setLiveEvents((prev) => [...notable.reverse(), ...prev].slice(0, 20));
      if (b.events.some((e) => e.type === 'run_started'))
        void qc.invalidateQueries({ queryKey: trpc.fleet.overview.queryKey() });
    });
    return () => {
      socket.disconnect();
    };
  }, [org, qc, trpc]);

  const o = overview.data;
  // Stored counts plus alerts that arrived live since they were fetched (ids dedupe the overlap).
  const a = alertSummary.data;
  const storedIds = new Set(a?.latest.map((x) => x.id) ?? []);
  const fresh = liveAlerts.filter(
    (x) => !storedIds.has(x.id) && (!alertSummary.dataUpdatedAt || x.at > alertSummary.dataUpdatedAt),
  );
  const alertsByRun = { ...(a?.byRun ?? {}) };
  for (const x of fresh) alertsByRun[x.runId] = (alertsByRun[x.runId] ?? 0) + 1;
  const feed = liveEvents.length
    ? liveEvents.map((e) => ({
        key: `${e.runId}-${e.t}-${e.type}-${e.vehicleId}`,
        runId: e.runId,
        type: e.type,
        vehicleId: e.vehicleId,
        t: e.t,
        when: 'live',
      }))
    : (o?.events ?? []).map((e) => ({
        key: e.id,
        runId: e.runId,
        type: e.type,
        vehicleId: e.vehicleId,
        t: e.t,
        when: relative(e.at),
      }));
  return (
    <>
      <div className="stat-grid">
        {(['running', 'completed', 'failed', 'cancelled'] as const).map((s) => (
          <Stat
            key={s}
            card
            label={<>{s} · 24 h</>}
            value={s === 'running' ? (o?.active.length ?? '—') : (o?.last24h[s] ?? 0)}
            testId={`fleet-${s}`}
          />
        ))}
        <div className="card stat">
          <div className="label">alerts · 24 h</div>
          <div className={(a?.last24h ?? 0) + fresh.length > 0 ? 'value text-bad' : 'value'} data-testid="fleet-alerts">
            {a ? a.last24h + fresh.length : '—'}
          </div>
        </div>
      </div>
      <SectionTitle actions={<Badge tone={connected ? 'ok' : 'wait'}>{connected ? 'Live' : 'Connecting…'}</Badge>}>
        Runs in flight
      </SectionTitle>
      <Card flush>
        {o && o.active.length === 0 ? (
          <EmptyState>
            Nothing running. Start a run from <a href={`/${org}/scenarios`}>Scenarios</a>.
          </EmptyState>
        ) : (
          <Table data-testid="fleet-active">
            <tbody>
              {o?.active.map((r) => {
                const s = statuses[r.id];
                const progress = s?.progress ?? r.progress;
                return (
                  <tr key={r.id}>
                    <td>
                      <a href={`/${org}/runs/${r.id}`}>{r.scenarioName}</a>
                    </td>
                    <td>
                      <StateBadge state={s?.state ?? r.state} />
                    </td>
                    <td className="w-lg">
                      <ProgressBar value={progress} label="Run progress" />
                    </td>
                    <td className="muted w-sm">
                      {(s?.simTime ?? r.simTime).toFixed(0)} s ·{' '}
                      {(s?.realTimeFactor ?? r.realTimeFactor ?? 0).toFixed(1)}×
                    </td>
                    <td className="w-xs">
                      {alertsByRun[r.id] ? (
                        <Badge tone="bad">
                          {alertsByRun[r.id]} alert{alertsByRun[r.id] === 1 ? '' : 's'}
                        </Badge>
                      ) : (
                        <span className="muted">no alerts</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <SectionTitle actions={<span className="muted">online store · 1 s windows</span>}>
        Vehicles · latest features
      </SectionTitle>
      <Card flush className="max-h-md overflow-auto">
        {vehicles.data && vehicles.data.length === 0 ? (
          <EmptyState>
            No vehicle has reported features in the last hour. They appear here a second after a run starts.
          </EmptyState>
        ) : (
          <Table data-testid="fleet-vehicles">
            <thead>
              <tr>
                <th>Vehicle</th>
                <th>Run</th>
                <th className="num">Speed</th>
                <th className="num">Engine</th>
                <th className="num">Min tyre</th>
                <th className="num">Max brake</th>
                <th className="num">Min TTC</th>
                <th className="num">Missing</th>
                <th>Sensors</th>
                <th className="num">Window</th>
              </tr>
            </thead>
            <tbody>
              {vehicles.data?.map((v) => {
                const f = v.features;
                const hot = (f.engine_temp_mean ?? 0) > 105;
                const flat = f.tire_pressure_min !== null && f.tire_pressure_min < 200;
                return (
                  <tr key={`${v.runId}|${v.vehicleId}`} data-vehicle={v.vehicleId}>
                    <td>{v.vehicleId === 'ego' ? <strong>ego</strong> : v.vehicleId}</td>
                    <td>
                      <a href={`/${org}/runs/${v.runId}`}>{v.scenarioName ?? v.runId.slice(0, 8)}</a>
                    </td>
                    <td className="num">{fmt(f.speed_mean, 1, ' m/s')}</td>
                    <td className={`num${hot ? ' warn-text' : ''}`}>
                      {fmt(f.engine_temp_mean, 1, ' °C')}
                      {f.engine_temp_slope !== null && Math.abs(f.engine_temp_slope) >= 0.05
                        ? f.engine_temp_slope > 0
                          ? ' ↑'
                          : ' ↓'
                        : ''}
                    </td>
                    <td className={`num${flat ? ' warn-text' : ''}`}>{fmt(f.tire_pressure_min, 0, ' kPa')}</td>
                    <td className="num">{fmt(f.brake_pressure_max, 1, ' bar')}</td>
                    <td className="num">{fmt(f.lead_ttc_min, 1, ' s')}</td>
                    <td className="num">
                      {f.missing_frame_ratio === null ? '—' : `${Math.round(f.missing_frame_ratio * 100)} %`}
                    </td>
                    <td>{f.stuck_sensor === 1 ? <Badge tone="bad">stuck</Badge> : <Badge tone="ok">ok</Badge>}</td>
                    <td className="num muted">{v.windowEnd.toFixed(0)} s</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <div className="columns-wide-left mt-6">
        <div>
          <h3 className="section-title mt-0">Notable events</h3>
          <Card flush className="max-h-sm overflow-auto">
            {feed.length === 0 ? (
              <EmptyState>No collisions, near misses or faults in the last 24 h.</EmptyState>
            ) : (
              <Table>
                <tbody>
                  {feed.map((e) => (
                    <tr key={e.key}>
                      <td>{EVENT_LABEL[e.type] ?? e.type}</td>
                      <td className="muted">
                        {e.vehicleId ?? 'run'} at {e.t.toFixed(1)} s
                      </td>
                      <td>
                        <a href={`/${org}/runs/${e.runId}`}>run</a>
                      </td>
                      <td className="muted">{e.when}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </div>
        <div>
          <h3 className="section-title mt-0">Pipeline</h3>
          <Card>
            {pipeline.error && <p className="error-text">Kafka is not reachable: {pipeline.error.message}</p>}
            <table className="kv">
              <tbody>
                <tr>
                  <td>Telemetry</td>
                  <td data-testid="pipeline-telemetry">
                    {pipeline.data?.perSecond
                      ? `${pipeline.data.perSecond['dl.telemetry']?.toLocaleString() ?? 0} frames/s`
                      : 'measuring…'}
                  </td>
                </tr>
                <tr>
                  <td>Features</td>
                  <td>
                    {pipeline.data?.perSecond
                      ? `${pipeline.data.perSecond['dl.features']?.toLocaleString() ?? 0} windows/s`
                      : 'measuring…'}
                  </td>
                </tr>
                {pipeline.data?.lag.map((g) => (
                  <tr key={g.groupId}>
                    <td>Lag · {g.groupId.replace('drivelab-', '')}</td>
                    <td>{g.lag.toLocaleString()} messages</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
      </div>
    </>
  );
}

function fmt(v: number | null, digits: number, unit: string): string {
  return v === null || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}${unit}`;
}
