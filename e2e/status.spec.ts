import { expect, test } from '@playwright/test';
import { open } from './helpers';

test('the portal shows Kafka, Postgres and Redis healthy, live', async ({ page, request }) => {
  await open(page, '/status');
  await expect(page.getByRole('heading', { name: 'System status' })).toBeVisible();
  for (const service of ['kafka', 'postgres', 'redis']) {
    const card = page.getByTestId(`service-${service}`);
    await expect(card).toHaveAttribute('data-up', 'true');
    await expect(card.getByText('Healthy')).toBeVisible();
  }
  await expect(page.getByTestId('health-summary')).toContainText('All systems operational');
  // The Socket.IO push is live: the indicator flips once the /system namespace connects.
  await expect(page.getByTestId('health-summary')).toContainText('Live updates every 5 s');
  // Two pushes five seconds apart draw the latency chart.
  await expect(page.locator('.recharts-line').first()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: '.state/test-results/status.png', fullPage: true });

  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  const body = (await health.json()) as {
    status: string;
    services: Record<string, { up: boolean; latencyMs: number }>;
  };
  expect(body.status).toBe('ok');
  expect(Object.keys(body.services).sort()).toEqual(['kafka', 'postgres', 'redis']);

  const metrics = await (await request.get('/api/metrics')).text();
  expect(metrics).toContain('drivelab_health_check_seconds_count');
  expect(metrics).toMatch(/drivelab_http_request_seconds_count\{[^}]*route="\/api\/health"/);
});
