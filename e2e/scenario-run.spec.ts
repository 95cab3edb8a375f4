import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
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
  await expect(page.getByText('durationS must be > 0')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create scenario' })).toBeDisabled();
  await page.getByLabel('Duration (s)').fill('12');
  await page.getByRole('combobox', { name: /^Speed/ }).selectOption('max');
  await page.getByRole('button', { name: 'Create scenario' }).click();
  await expect(page.getByRole('button', { name: 'Run latest version' })).toBeVisible();
  await ready(page);
  await page.screenshot({ path: '.state/test-results/scenario-editor.png', fullPage: true });

  await page.getByRole('button', { name: 'Run latest version' }).click();
  await expect(page).toHaveURL(/\/runs\//);
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
});
