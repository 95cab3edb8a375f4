import { describe, expect, it } from 'vitest';
import { healthReport, timedCheck } from '~/server/health';

describe('timedCheck', () => {
  it('reports up with latency and detail', async () => {
    const r = await timedCheck('x', async () => 'fine');
    expect(r.up).toBe(true);
    expect(r.detail).toBe('fine');
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a failing dependency as down with its error', async () => {
    const r = await timedCheck('x', async () => {
      throw new Error('connection refused');
    });
    expect(r).toMatchObject({ up: false, error: 'connection refused' });
  });

  it('reports a hung dependency as down after the deadline', async () => {
    const r = await timedCheck('x', () => new Promise(() => undefined), 150);
    expect(r.up).toBe(false);
    expect(r.error).toMatch(/no answer within 150 ms/);
    expect(r.latencyMs).toBeLessThan(2000);
  });

  it('is degraded when any one service is down', async () => {
    const ok = async () => undefined;
    const report = await healthReport({
      kafka: ok,
      postgres: async () => {
        throw new Error('down');
      },
      redis: ok,
    });
    expect(report.status).toBe('degraded');
    expect(report.services.postgres.up).toBe(false);
    expect(report.services.kafka.up).toBe(true);
  });
});
