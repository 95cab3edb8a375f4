import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { scenarioPresets } from '../server/contracts/scenario';
import { createSimulation } from '../workers/sim';
import { open, ready, signInAsDemo } from './helpers';

test('create a scenario from a preset, start a run, and see it complete with KPIs', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);

  await open(page, `/${DEMO.org.slug}/scenarios`);
  await page.getByTestId('preset-urban_rush_hour').click();
  await ready(page);
  await expect(page.getByLabel('Scenario name')).toHaveValue('Urban rush hour');
  const name = `Rush hour e2e ${Date.now().toString(36)}`;
  await page.getByLabel('Scenario name').fill(name);

  // Inline validation: an impossible duration is flagged and blocks saving.
  await page.getByLabel('Duration (s)').fill('0');
  await expect(page.getByText('Duration must be more than 0 s').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create scenario' })).toBeDisabled();
  await page.getByLabel('Duration (s)').fill('12');
  await page.getByRole('combobox', { name: /^Speed/ }).selectOption('max');
  await page.getByRole('button', { name: 'Create scenario' }).click();
  await expect(page.getByRole('button', { name: 'Run latest version' })).toBeVisible();
  await ready(page);
  await page.screenshot({ path: '.state/test-results/scenario-editor.png', fullPage: true });

  await page.getByRole('button', { name: 'Run latest version' }).click();
  await expect(page).toHaveURL(/\/runs\//);
  const runUrl = new URL(page.url()).pathname;
  await expect(page.getByTestId('run-state')).toHaveText('completed', { timeout: 45_000 });
  await expect(page.getByTestId('run-progress')).toHaveText('100%');
  await expect(page.getByTestId('run-kpis')).toBeVisible();
  const score = Number(await page.getByTestId('kpi-driving-score').textContent());
  expect(score).toBeGreaterThanOrEqual(0);
  expect(score).toBeLessThanOrEqual(100);
  await expect(page.getByTestId('event-timeline')).toContainText('Run started');
  await expect(page.getByTestId('event-timeline')).toContainText('Run finished');
  await page.screenshot({ path: '.state/test-results/run-complete.png', fullPage: true });

  await open(page, `/${DEMO.org.slug}/runs`);
  await expect(page.getByTestId('run-table')).toContainText(name);

  // Replay from the recording, deep-linked to t = 5 s: the values of that moment.
  await open(page, `${runUrl}?t=5`);
  await expect(page.getByTestId('playhead')).toHaveText('5.0 / 12 s');
  const speed = page.getByTestId('chart-speed');
  await expect(speed).toHaveAttribute('data-last-t', '5.00', { timeout: 40_000 });
  // The simulator is deterministic: the same scenario gives the ego's speed at t = 5 s.
  const sim = createSimulation(
    { ...scenarioPresets.urban_rush_hour, name, durationS: 12, timeFactor: 'max' },
    { orgId: 'x', runId: 'x' },
  );
  let expected: number | null = null;
  while (!sim.done) {
    const ego = sim.step().frames.find((f) => f.vehicleId === 'ego' && Math.abs(f.t - 5) < 1e-9);
    if (ego) {
      expected = ego.speed;
      break;
    }
  }
  expect(Number(await speed.getAttribute('data-last-value'))).toBeCloseTo(expected!, 9);
  await page.getByLabel('Playhead').fill('8');
  await expect(speed).toHaveAttribute('data-last-t', '8.00');
  await page.screenshot({ path: '.state/test-results/replay.png', fullPage: true });

  const download = await page.request.get(
    (await page.getByRole('link', { name: 'Download recording (.mcap)' }).getAttribute('href')) as string,
  );
  expect(download.status()).toBe(200);
  expect((await download.body()).subarray(1, 5).toString()).toBe('MCAP');
});
