import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { open, uploadLabelledDataset } from './helpers';

test('a new org sees the guided path unticked; a step is ticked once it is done in that org only', async ({ page }) => {
  test.setTimeout(120_000);
  const tag = randomBytes(3).toString('hex');
  await open(page, '/signup');
  await page.getByLabel('Name').fill('Nina');
  await page.getByLabel('Work email').fill(`nina-${tag}@example.test`);
  await page.getByLabel('Password').fill('test-password-42');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/orgs$/);
  await page.getByLabel('Organization name').fill(`First use ${tag}`);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('org-name')).toHaveText(`First use ${tag}`);
  const slug = new URL(page.url()).pathname.slice(1);

  // Nothing done yet, although the demo org next door has scenarios, runs and models.
  const guide = page.getByTestId('first-use-guide');
  await expect(guide).toHaveAttribute('data-done', '0');
  for (const step of ['scenario', 'run', 'dataset', 'train', 'deploy', 'alerts'])
    await expect(page.getByTestId(`guide-${step}`)).toHaveAttribute('data-done', 'false');
  await expect(page.getByTestId('guide-scenario').getByRole('link', { name: 'Create a scenario' })).toHaveAttribute(
    'href',
    `/${slug}/scenarios/new`,
  );
  await expect(page.getByTestId('guide-dataset').getByRole('link', { name: 'Build a dataset' })).toHaveAttribute(
    'href',
    `/${slug}/datasets/new`,
  );

  // Building a dataset in this org ticks its step (computed on the server from the org's rows).
  await uploadLabelledDataset(page, slug, `Guide data ${tag}`);

  await open(page, `/${slug}`);
  await expect(page.getByTestId('guide-dataset')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('guide-dataset')).toContainText('(done)');
  await expect(guide).toHaveAttribute('data-done', '1');
  await expect(page.getByTestId('guide-scenario')).toHaveAttribute('data-done', 'false');
});
