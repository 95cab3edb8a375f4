'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { io } from 'socket.io-client';
import type { HealthReport, ServiceHealth } from '~/server/health';
import { useTRPC } from '~/components/trpc/react';

const SERVICES = [
  { key: 'kafka', label: 'Apache Kafka', role: 'Event backbone: telemetry, features, predictions' },
  { key: 'postgres', label: 'PostgreSQL', role: 'Tenants, runs, offline feature store, registry' },
  { key: 'redis', label: 'Redis', role: 'Online feature store, rate limits' },
] as const;

type ServiceKey = (typeof SERVICES)[number]['key'];
type Sample = { at: string } & Record<ServiceKey, number | null>;

const MAX_SAMPLES = 60;

function StatusBadge({ health }: { health: ServiceHealth | undefined }) {
  if (!health) return <span className="badge badge-wait">Checking</span>;
  return health.up ? <span className="badge badge-ok">Healthy</span> : <span className="badge badge-bad">Down</span>;
}

export function ServiceHealthPanel() {
  const trpc = useTRPC();
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
          at: new Date(report.checkedAt).toLocaleTimeString(),
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
          <span className={`badge ${allUp ? 'badge-ok' : 'badge-bad'}`}>
            {allUp ? 'All systems operational' : 'Degraded'}
          </span>
        ) : (
          <span className="badge badge-wait">Checking services</span>
        )}
        <span>{connected ? 'Live updates every 5 s' : 'Connecting to live updates…'}</span>
        {report && <span>Last check {new Date(report.checkedAt).toLocaleTimeString()}</span>}
      </div>
      {initial.error && !live && <p className="error-text">Could not load health: {initial.error.message}</p>}

      <div className="grid" style={{ marginTop: 20 }}>
        {SERVICES.map((s) => {
          const health = report?.services[s.key];
          return (
            <section
              key={s.key}
              className="card service-card"
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
            </section>
          );
        })}
      </div>

      <h3 className="section-title">Check latency (ms)</h3>
      <div className="card" style={{ height: 240 }}>
        {samples.length < 2 ? (
          <p className="muted">Collecting samples…</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={samples} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
              <XAxis dataKey="at" stroke="#8b98a5" fontSize={11} minTickGap={40} />
              <YAxis stroke="#8b98a5" fontSize={11} />
              <Tooltip contentStyle={{ background: '#171e26', border: '1px solid #2a3542' }} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line
                type="monotone"
                dataKey="kafka"
                name="Kafka"
                stroke="#4f9dff"
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="postgres"
                name="PostgreSQL"
                stroke="#3fb950"
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="redis"
                name="Redis"
                stroke="#d29922"
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </>
  );
}
