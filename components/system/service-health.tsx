'use client';

import { Time, useTimeFormat } from '~/components/ui/time';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { HealthReport, ServiceHealth } from '~/server/health';
import { CHART_TONE, TimeSeriesChart } from '~/components/charts';
import { useTRPC } from '~/components/trpc/react';
import { Badge, Card, EmptyState, SectionTitle } from '~/components/ui';

const SERVICES = [
  { key: 'kafka', label: 'Apache Kafka', role: 'Event backbone: telemetry, features, predictions' },
  { key: 'postgres', label: 'PostgreSQL', role: 'Tenants, runs, offline feature store, registry' },
  { key: 'redis', label: 'Redis', role: 'Online feature store, rate limits' },
] as const;

type ServiceKey = (typeof SERVICES)[number]['key'];
type Sample = { at: number } & Record<ServiceKey, number | null>;

const MAX_SAMPLES = 60;

function StatusBadge({ health }: { health: ServiceHealth | undefined }) {
  if (!health) return <Badge tone="wait">Checking</Badge>;
  return health.up ? <Badge tone="ok">Healthy</Badge> : <Badge tone="bad">Down</Badge>;
}

export function ServiceHealthPanel() {
  const trpc = useTRPC();
  const times = useTimeFormat();
  const initial = useQuery(trpc.system.health.queryOptions(undefined, { refetchInterval: 30_000 }));
  const [live, setLive] = useState<HealthReport | null>(null);
  const [connected, setConnected] = useState(false);
  const [samples, setSamples] = useState<Sample[]>([]);

  useEffect(() => {
    const socket = io('/system', { path: '/socket.io', transports: ['websocket', 'polling'] });
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on('health', (report: HealthReport) => {
      setLive(report);
      setSamples((prev) => {
        const sample: Sample = {
          at: new Date(report.checkedAt).getTime(),
          kafka: report.services.kafka.up ? report.services.kafka.latencyMs : null,
          postgres: report.services.postgres.up ? report.services.postgres.latencyMs : null,
          redis: report.services.redis.up ? report.services.redis.latencyMs : null,
        };
        return [...prev, sample].slice(-MAX_SAMPLES);
      });
    });
    return () => {
      socket.disconnect();
    };
  }, []);

  const report = live ?? initial.data ?? null;
  const allUp = report?.status === 'ok';

  return (
    <>
      <div className="summary" data-testid="health-summary">
        {report ? (
          <Badge tone={allUp ? 'ok' : 'bad'}>{allUp ? 'All systems operational' : 'Degraded'}</Badge>
        ) : (
          <Badge tone="wait">Checking services</Badge>
        )}
        <span>{connected ? 'Live updates every 5 s' : 'Connecting to live updates…'}</span>
        {report && (
          <span>
            Last check <Time value={report.checkedAt} seconds />
          </span>
        )}
      </div>
      {initial.error && !live && <p className="error-text">Could not load health: {initial.error.message}</p>}

      <div className="grid mt-5">
        {SERVICES.map((s) => {
          const health = report?.services[s.key];
          return (
            <Card
              className="service-card"
              key={s.key}
              data-testid={`service-${s.key}`}
              data-up={health ? String(health.up) : 'unknown'}
            >
              <div className="service-head">
                <h2>{s.label}</h2>
                <StatusBadge health={health} />
              </div>
              <div className="metric">
                {health ? health.latencyMs.toFixed(1) : '—'}
                <small>ms</small>
              </div>
              <div className="sub">
                {health?.error ? <span className="error-text">{health.error}</span> : (health?.detail ?? s.role)}
              </div>
            </Card>
          );
        })}
      </div>

      <SectionTitle>Check latency (ms)</SectionTitle>
      <Card>
        {samples.length < 2 ? (
          <EmptyState compact>Collecting samples…</EmptyState>
        ) : (
          <TimeSeriesChart
            data={samples}
            x="at"
            xFormat={(ms) => times.clock(ms)}
            xLabel={`time (${times.label()})`}
            yUnit="ms"
            yFromZero
            height={220}
            series={[
              { key: 'kafka', name: 'Kafka', color: CHART_TONE.accent },
              { key: 'postgres', name: 'PostgreSQL', color: CHART_TONE.ok },
              { key: 'redis', name: 'Redis', color: CHART_TONE.warn },
            ]}
          />
        )}
      </Card>
    </>
  );
}
