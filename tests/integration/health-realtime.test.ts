import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { createKafka } from '~/server/kafka/client';
import { healthReport, timedCheck, checkKafka, checkPostgres, checkRedis, type HealthReport } from '~/server/health';
import { attachRealtime, HEALTH_EVENT, SYSTEM_NAMESPACE } from '~/server/realtime/io';

describe('dependency health against the real services', () => {
  it('reports Kafka, Postgres and Redis up with latencies', async () => {
    const report = await healthReport();
    expect(report.status).toBe('ok');
    for (const s of ['kafka', 'postgres', 'redis'] as const) {
      expect(report.services[s].up).toBe(true);
      expect(report.services[s].latencyMs).toBeGreaterThan(0);
    }
    expect(report.services.kafka.detail).toMatch(/1 broker/);
    expect(report.services.postgres.detail).toMatch(/PostgreSQL \d+/);
  });

  it('reports a broker that does not answer as down, quickly', async () => {
    const dead = createKafka({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeout: 500 });
    const r = await timedCheck(
      'kafka',
      async () => {
        const admin = dead.admin();
        await admin.connect();
        await admin.disconnect();
        return undefined;
      },
      3000,
    );
    expect(r.up).toBe(false);
    expect(r.error).toBeTruthy();
    expect(r.latencyMs).toBeLessThan(3000);
  });

  it('pushes health over Socket.IO to /system subscribers', async () => {
    const server = createServer();
    const realtime = attachRealtime(server, {
      healthIntervalMs: 200,
      check: () => healthReport({ kafka: checkKafka, postgres: checkPostgres, redis: checkRedis }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const socket = connect(`http://127.0.0.1:${port}${SYSTEM_NAMESPACE}`, {
      path: '/socket.io',
      transports: ['websocket'],
    });
    const reports: HealthReport[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${reports.length} health pushes`)), 15_000);
      socket.on(HEALTH_EVENT, (r: HealthReport) => {
        reports.push(r);
        if (reports.length >= 3) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    socket.disconnect();
    await realtime.close();
    await new Promise<void>((r) => server.close(() => r()));
    expect(reports.every((r) => r.status === 'ok')).toBe(true);
    expect(new Set(reports.map((r) => r.checkedAt)).size).toBe(reports.length);
  });
});
