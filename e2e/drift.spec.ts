import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

/**
 * The drift tab of a model page: a model with a calm and a shifted window of served traffic
 * (e2e/fixtures/drift-model.ts) shows the shifted feature first, as drifting, with its overlaid
 * histogram and its trend over both windows.
 */
test('the drift tab shows a drifting feature first, with its histogram and trend', async ({ page }) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/drift-model.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const { modelId } = JSON.parse(out.trim().split('\n').at(-1)!) as { modelId: string };

  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/models/${modelId}`);
  await page.getByRole('navigation', { name: 'Model' }).getByRole('link', { name: 'Drift' }).click();
  await expect(page).toHaveURL(/\?tab=drift$/);
  const panel = page.getByTestId('drift-panel');
  await expect(panel).toBeVisible();

  const rows = page.getByTestId('drift-table').locator('tbody tr');
  // Three features and the prediction; the shifted feature leads, drifting.
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toHaveAttribute('data-testid', 'drift-row-speed_mean');
  await expect(rows.first()).toContainText('drifting');
  await expect(page.getByTestId('drift-row-engine_temp_mean')).toContainText('stable');
  await expect(page.getByTestId('drift-drifting-count')).toHaveText('1 / 3');
  await expect(page.getByTestId('drift-histogram')).toHaveAttribute('data-column', 'speed_mean');
  await expect(page.getByTestId('drift-histogram').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('drift-trend')).toHaveAttribute('data-points', '2');

  // Choosing another feature shows its histogram.
  await page.getByTestId('drift-row-engine_temp_mean').getByRole('button').click();
  await expect(page.getByTestId('drift-histogram')).toHaveAttribute('data-column', 'engine_temp_mean');
  await page.getByTestId('drift-row-speed_mean').getByRole('button').click();
  await page.screenshot({ path: '.state/test-results/drift-tab.png', fullPage: true });
});
