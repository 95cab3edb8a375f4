import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

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
