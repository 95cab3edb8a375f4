import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, ready, signInAsDemo } from './helpers';

test('launch a campaign over two parameters and read its per-run KPIs and heatmap', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);

  // A short, fast scenario to sweep.
  await open(page, `/${DEMO.org.slug}/scenarios/new?preset=highway_cruise`);
  const name = `Sweep base ${Date.now().toString(36)}`;
  await page.getByLabel('Scenario name').fill(name);
  await page.getByLabel('Duration (s)').fill('5');
  await page.getByRole('combobox', { name: /^Speed/ }).selectOption('max');
  await page.getByRole('button', { name: 'Create scenario' }).click();
  await expect(page.getByRole('button', { name: 'Run latest version' })).toBeVisible();

  await open(page, `/${DEMO.org.slug}/campaigns/new`);
  await page.getByLabel('Campaign name').fill('Density × driver');
  await page.getByLabel('Scenario').selectOption({ label: `${name} (v1)` });
  await page.getByLabel('Sampling').selectOption('grid');
  await page.getByLabel('Parameter').nth(1).selectOption('ego.driver');
  await page.getByLabel('Values (comma-separated)').fill('calm, aggressive');
  await page.getByLabel('From').fill('2');
  await page.getByLabel('To').fill('10');
  await page.getByLabel('At most in parallel').fill('3');
  await page.getByRole('button', { name: 'Launch campaign' }).click();
  await expect(page).toHaveURL(/\/campaigns\/[a-z0-9]+$/);
  await ready(page);

  const runs = page.getByTestId('campaign-runs');
  await expect(runs.locator('tbody tr')).toHaveCount(6);
  await expect(page.getByText('6 of 6 runs finished')).toBeVisible({ timeout: 60_000 });
  await expect(runs.getByTestId('run-state').filter({ hasText: 'completed' })).toHaveCount(6);
  const heatmap = page.getByTestId('campaign-heatmap');
  await expect(heatmap).toBeVisible();
  await expect(heatmap).toContainText('aggressive');
  await expect(heatmap).toContainText('10');
  await page.screenshot({ path: '.state/test-results/campaign.png', fullPage: true });
});
