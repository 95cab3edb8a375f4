import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

// A zone far from UTC, so local and UTC times can never print the same.
test.use({ timezoneId: 'Asia/Kolkata' });

test('one time format on every page, UTC or local by the user setting', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsDemo(page, DEMO.user);
  const utc = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC$/;
  const local = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? GMT\+5:30$/;
  const settings = `/${DEMO.org.slug}/settings?tab=preferences`;

  await open(page, settings);
  const control = page.getByTestId('time-format');
  // Whatever an earlier run left, start from UTC.
  if ((await control.inputValue()) !== 'utc') {
    await control.selectOption('utc');
    await expect(page.locator('time[data-zone="utc"]').first()).toBeVisible();
  }

  // /status used to print 12-hour local time; now it follows the setting like every page.
  await open(page, '/status');
  const check = page.getByTestId('health-summary').locator('time');
  await expect(check).toHaveText(utc);
  await expect(page.getByTestId('health-summary')).not.toContainText(/AM|PM/);
  await open(page, `/${DEMO.org.slug}/settings?tab=members`);
  await expect(page.locator('time').first()).toHaveText(utc);

  await open(page, settings);
  await page.getByTestId('time-format').selectOption('local');
  await expect(page.locator('time[data-zone="local"]').first()).toBeVisible();
  await open(page, '/status');
  await expect(check).toHaveText(local);
  await open(page, `/${DEMO.org.slug}/settings?tab=members`);
  await expect(page.locator('time').first()).toHaveText(local);

  // Stored per user: back to UTC for the other tests.
  await open(page, settings);
  await page.getByTestId('time-format').selectOption('utc');
  await expect(page.locator('time[data-zone="utc"]').first()).toBeVisible();
});
