import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';
import { VIEWPORTS } from './pages';

for (const vp of VIEWPORTS) {
  test.describe(`${vp.name} ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test('a bad form shows its error next to the field, in words, and the disabled button says why', async ({
      page,
    }) => {
      await signInAsDemo(page, DEMO.user);
      await open(page, `/${DEMO.org.slug}/scenarios/new`);
      await page.getByLabel('Duration (s)').fill('120');
      await page.getByRole('button', { name: 'Add fault' }).click();
      const start = page.getByLabel('Start (s)');
      await start.fill('150');

      // The message sits in the start field's own box, not in a banner.
      const field = page.locator('.field', { has: start });
      await expect(field.locator('.field-error')).toHaveText("Fault start must be within the run's 120 s duration");
      await expect(start).toHaveAttribute('aria-invalid', 'true');
      await expect(page.locator('.alert')).toHaveCount(0);
      // No schema keys or zod wording anywhere on the page.
      await expect(page.locator('body')).not.toContainText(/startS|durationS|Too small|expected number/);

      const create = page.getByRole('button', { name: 'Create scenario' });
      await expect(create).toBeDisabled();
      await expect(create).toHaveAccessibleDescription('Fix the fields marked in red first');

      // Another field, another bound: the severity is a share between 0 and 1.
      const severity = page.getByLabel('Severity');
      await severity.fill('3');
      await expect(page.locator('.field', { has: severity }).locator('.field-error')).toHaveText(
        'Severity can be at most 1',
      );

      await start.fill('30');
      await severity.fill('0.5');
      await expect(field.locator('.field-error')).toHaveCount(0);
      await expect(create).toBeEnabled();
    });
  });
}
