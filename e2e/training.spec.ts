import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, ready, signInAsDemo, uploadLabelledDataset } from './helpers';

test('upload a dataset, start a training job from the portal, watch its curves move until a model version is registered', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsDemo(page, DEMO.user);
  const tag = Date.now().toString(36);

  await uploadLabelledDataset(page, DEMO.org.slug, `Vehicle temps ${tag}`);
  await expect(page.getByTestId('dataset-versions')).toContainText('vehicles.csv');
  await expect(page.getByText('fault: 120 · normal: 360')).toBeVisible();

  await page.getByRole('link', { name: 'Train on v1' }).click();
  await ready(page);
  await page.getByTestId('training-kind').selectOption('mlp-classifier');
  await expect(page.getByTestId('param-epochs')).toHaveValue('60');
  // Long enough to be watched while it runs, even on a quiet machine (a few seconds per 40 epochs).
  await page.getByTestId('param-epochs').fill('200');
  await page.getByTestId('param-patience').fill('200');
  await page.getByTestId('param-batchSize').fill('4');
  await page.getByLabel('Register as model').fill(`temp-classifier-${tag}`);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page).toHaveURL(/\/training\/[a-z0-9]+$/);
  await ready(page);
  await expect(page.getByTestId('live-connection')).toHaveText('live');

  // The curves grow while the job runs: more epoch points arrive over Socket.IO.
  const chart = page.getByTestId('loss-chart');
  // Sample the chart while the job is running: it must show more points over time, live.
  const seenWhileRunning: number[] = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    // textContent, not innerText: the badge's CSS upper-cases what innerText returns.
    const state = ((await page.getByTestId('run-state').textContent()) ?? '').trim();
    const points = Number(await chart.getAttribute('data-points'));
    if (state === 'running' && points > 0) seenWhileRunning.push(points);
    if (state !== 'queued' && state !== 'running') break;
    if (new Set(seenWhileRunning).size >= 4) break;
    await page.waitForTimeout(150);
  }
  const distinct = [...new Set(seenWhileRunning)];
  expect(distinct.length, `points seen while running: ${distinct.join(', ')}`).toBeGreaterThanOrEqual(4);
  expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
  await expect(chart.locator('path.recharts-line-curve')).toHaveCount(2);
  await page.screenshot({ path: '.state/test-results/training-running.png', fullPage: true });

  await expect(page.getByTestId('run-state')).toHaveText('completed', { timeout: 150_000 });
  const link = page.getByTestId('model-version-link');
  await expect(link).toBeVisible();
  await expect(link).toHaveText(`temp-classifier-${tag} v1`);
  await expect(link).toHaveAttribute('href', /\/models\/[a-z0-9]+\?version=1$/);
  await expect(page.getByTestId('job-metrics')).toContainText('F1');
  await page.screenshot({ path: '.state/test-results/training-completed.png', fullPage: true });

  // The version it registered is promoted to production from its model page.
  const jobUrl = page.url();
  await link.click();
  await expect(page).toHaveURL(/\/models\/[a-z0-9]+\?version=1$/);
  await ready(page);
  const panel = page.getByTestId('alias-panel');
  await panel.getByLabel('Version', { exact: true }).selectOption({ label: 'v1' });
  await panel.getByLabel('Alias', { exact: true }).fill('production');
  await panel.getByLabel('Gate').selectOption('none');
  await panel.getByRole('button', { name: 'Promote' }).click();
  await expect(panel.getByRole('status')).toHaveText('production → v1');
  await expect(page.getByTestId('alias-version-production')).toHaveText('v1');
  await page.screenshot({ path: '.state/test-results/training-promoted.png', fullPage: true });
  await open(page, jobUrl);

  // Its experiment run: already selected for comparison, its curves drawn; tags can be added.
  await page.getByRole('link', { name: 'mlp-classifier #1' }).click();
  await ready(page);
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await expect(page.getByTestId('compare-params')).toContainText('Max epochs');
  await page.getByRole('button', { name: 'add tags' }).click();
  await page.getByLabel('Tags').fill('baseline, e2e');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('experiment-runs')).toContainText('baseline');
  await page.screenshot({ path: '.state/test-results/training-experiment.png', fullPage: true });

  // The job list shows it completed with a full progress bar.
  await open(page, `/${DEMO.org.slug}/training`);
  const row = page.getByTestId('training-jobs').locator('tbody tr').first();
  await expect(row.getByTestId('run-state')).toHaveText('completed');
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
});
