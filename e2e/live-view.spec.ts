import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

let scenarios: { liveId: string; replayId: string };
test.beforeAll(() => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/live-scenarios.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  scenarios = JSON.parse(out.trim().split('\n').at(-1)!) as typeof scenarios;
});

const org = `/${DEMO.org.slug}`;
const lastT = async (page: Page, id = 'chart-speed') => Number(await page.getByTestId(id).getAttribute('data-last-t'));
const firstT = async (page: Page, id = 'chart-speed') =>
  Number(await page.getByTestId(id).getAttribute('data-first-t'));

async function startRun(page: Page, scenarioId: string): Promise<string> {
  await open(page, `${org}/scenarios/${scenarioId}`);
  await page.getByRole('button', { name: 'Run latest version' }).click();
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
  return page.url();
}

test('clicking a timeline event seeks every chart of the replay to it', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsDemo(page, DEMO.user);
  await startRun(page, scenarios.replayId);
  await expect(page.getByTestId('run-state')).toHaveText('completed', { timeout: 90_000 });
  await page.reload();
  await expect(page.getByTestId('replay-panel')).toBeVisible({ timeout: 30_000 });
  const fault = page.locator('tr', { hasText: 'Fault starts' }).getByTestId('timeline-seek').first();
  await expect(fault).toBeVisible({ timeout: 30_000 });
  const t = Number((await fault.innerText()).replace(' s', ''));
  expect(t).toBeGreaterThan(20);
  await fault.click();
  await expect(page.getByTestId('playhead')).toHaveText(new RegExp(`^${t.toFixed(1)} /`));
  for (const id of ['chart-speed', 'chart-accel', 'chart-engine', 'chart-brake', 'chart-tyres', 'chart-battery']) {
    // Each chart ends at the event (the last recorded frame at or before it, 10 Hz replay).
    await expect.poll(() => lastT(page, id), { timeout: 20_000 }).toBeGreaterThan(t - 0.5);
    expect(await lastT(page, id)).toBeLessThanOrEqual(t + 0.001);
  }
  await page.screenshot({ path: 'docs/screenshots/replay.png' });
});
