import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open } from './helpers';

test('the demo account that npm run demo prints signs in and lands in its organization', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel('Email').fill(DEMO.user.email);
  await page.getByLabel('Password').fill(DEMO.user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText(DEMO.user.email);
  await open(page, `/${DEMO.org.slug}`);
  await expect(page.getByTestId('org-name')).toHaveText(DEMO.org.name);
  await page.screenshot({ path: '.state/test-results/demo-org.png', fullPage: true });
});
