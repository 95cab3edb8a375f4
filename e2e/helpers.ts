import { expect, type Page } from '@playwright/test';
import { labelledTable } from '~/scripts/fixtures/labelled-table';

/** Waits until React has hydrated the page (the provider marks <html data-hydrated>). */
export async function ready(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

export async function open(page: Page, path: string) {
  const res = await page.goto(path);
  await ready(page);
  return res;
}

/** Signs in through the form as the seeded demo user (the account `npm run demo` prints). */
export async function signInAsDemo(page: Page, user: { email: string; password: string }): Promise<void> {
  await open(page, '/signin');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Cancels the open run: the button asks first, and the dialog's own button confirms. */
export async function cancelRun(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('cancelled', { timeout: 15_000 });
}

/**
 * Ends the open run if it still runs. A run that finishes between the check and the click takes
 * its cancel button (and the open dialog) with it: that counts as ended too.
 */
export async function endRun(page: Page): Promise<void> {
  const state = page.getByTestId('run-state');
  await expect(state).toHaveText(/^(running|completed)$/);
  if ((await state.textContent())?.trim() === 'running') {
    try {
      await page.getByRole('button', { name: 'Cancel run' }).click({ timeout: 5_000 });
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel run' }).click({ timeout: 5_000 });
    } catch {
      // Finished first; the check below says so.
    }
  }
  await expect(state).toHaveText(/^(cancelled|completed)$/, { timeout: 15_000 });
}

/**
 * Uploads the labelled vehicle table (scripts/fixtures/labelled-table.ts) as a new dataset of the
 * org, grouped by vehicle and labelled by its `label` column, and waits on the dataset's page.
 */
export async function uploadLabelledDataset(page: Page, orgSlug: string, name: string): Promise<void> {
  await open(page, `/${orgSlug}/datasets/new?source=upload`);
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'vehicles.csv', mimeType: 'text/csv', buffer: Buffer.from(labelledTable()) });
  await page.getByLabel('Dataset name').fill(name);
  await page.getByLabel('Group column').fill('vehicle');
  await page.getByLabel('Group is a').selectOption('vehicle');
  await page.getByLabel('Order column').fill('t');
  await page.getByRole('combobox', { name: 'Label', exact: true }).selectOption('column');
  await page.getByLabel('Label column').fill('label');
  await page.getByRole('button', { name: 'Upload and build' }).click();
  await expect(page).toHaveURL(/\/datasets\/[a-z0-9]+$/);
  await ready(page);
}

/** Starts a run of the named scenario from the org's scenario list and waits on the run's page. */
export async function runFromScenarioList(page: Page, orgSlug: string, scenarioName: string): Promise<void> {
  await open(page, `/${orgSlug}/scenarios`);
  const row = page.getByTestId('scenario-table').locator('tr', { hasText: scenarioName });
  await row.getByRole('button', { name: 'Run' }).click();
  await expect(page).toHaveURL(/\/runs\//);
}
