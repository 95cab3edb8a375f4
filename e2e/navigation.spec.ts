import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

test('unknown orgs and records show a not-found panel in the portal layout with a way back', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  const res = await open(page, '/no-such-org-here');
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toContainText('Page not found');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page).toHaveTitle('Not found · DriveLab');

  for (const [path, what, back] of [
    [`/${DEMO.org.slug}/runs/no-such-run`, 'run', 'Back to runs'],
    [`/${DEMO.org.slug}/models/no-such-model`, 'model', 'Back to models'],
  ] as const) {
    await open(page, path);
    const panel = page.getByTestId('not-found');
    await expect(panel).toContainText(`This ${what} does not exist`, { timeout: 5_000 });
    await expect(page.locator('body')).not.toContainText(/[{}]"|"code"/);
    await panel.getByRole('link', { name: back }).click();
    await expect(page).toHaveURL(new RegExp(`/${DEMO.org.slug}/${what}s$`));
  }
});

test('every page names itself in the title', async ({ page }) => {
  // Sign-in and four production page loads: over a minute on a loaded machine.
  test.setTimeout(120_000);
  await signInAsDemo(page, DEMO.user);
  for (const [path, title] of [
    [`/${DEMO.org.slug}`, 'Overview · DriveLab'],
    [`/${DEMO.org.slug}/runs`, 'Runs · DriveLab'],
    [`/${DEMO.org.slug}/models`, 'Models · DriveLab'],
    ['/status', 'System status · DriveLab'],
  ] as const) {
    await open(page, path);
    await expect(page).toHaveTitle(title);
  }
});

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test('the runs page on a phone (docs screenshot)', async ({ page }) => {
    await signInAsDemo(page, DEMO.user);
    await open(page, `/${DEMO.org.slug}/runs`);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: 'docs/screenshots/phone-runs.png', fullPage: true });
  });
});
