import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';
import { seedPages, type PageIds } from './pages';

let ids: PageIds;
test.beforeAll(() => {
  ids = seedPages();
});

const org = `/${DEMO.org.slug}`;

test('a cancelled run shows no score, in its page and in the runs list', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `${org}/runs/${ids.runId}`);
  await expect(page.getByTestId('run-state')).toHaveText('cancelled');
  await expect(page.getByTestId('run-kpis')).toHaveCount(0);
  await expect(page.getByText('Driving score')).toHaveCount(0);
  await open(page, `${org}/runs`);
  const row = page.locator('tr', { has: page.locator(`a[href$="/runs/${ids.runId}"]`) });
  await expect(row).toContainText('cancelled');
  await expect(row).not.toContainText('20.0');
});

test('cancelling a run asks first, and keeping it changes nothing', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `${org}/runs/${ids.queuedRunId}`);
  await expect(page.getByTestId('run-state')).toHaveText('queued');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Cancel this run?');
  await dialog.getByRole('button', { name: 'Keep' }).click();
  await expect(dialog).toBeHidden();
  await page.waitForTimeout(500);
  await expect(page.getByTestId('run-state')).toHaveText('queued');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('cancelled', { timeout: 10_000 });
});

test('a queued job shows its queue place and expected start; a finished job is not "live"', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `${org}/training/${ids.jobId}`);
  await expect(page.getByTestId('queue-place')).toContainText(/position \d+ of \d+ in this organization's queue/);
  await expect(page.getByTestId('queue-place')).toContainText(
    /expected to start in about|starts when a trainer|unknown/,
  );
  await expect(page.getByTestId('job-epoch')).toHaveCount(0);
  await open(page, `${org}/training/${ids.finishedJobId}`);
  await expect(page.getByTestId('run-state')).toHaveText('completed');
  await expect(page.getByTestId('live-connection')).toHaveCount(0);
});
