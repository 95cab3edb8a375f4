import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';
import { horizontalOverflow, portalPages, PUBLIC_PAGES, seedPages, VIEWPORTS, type PageIds } from './pages';

let ids: PageIds;
test.beforeAll(() => {
  ids = seedPages();
});

for (const vp of VIEWPORTS) {
  test.describe(`${vp.name} ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test('no public page is wider than the viewport', async ({ page }) => {
      for (const path of PUBLIC_PAGES) {
        await open(page, path);
        const o = await horizontalOverflow(page);
        expect(o.excess, `${path} overflows by ${o.excess}px: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(0);
      }
    });

    test('no portal page is wider than the viewport', async ({ page }) => {
      test.setTimeout(180_000);
      await signInAsDemo(page, DEMO.user);
      for (const path of portalPages(ids)) {
        await open(page, path);
        // Let the client queries land: tables and charts only take their width once they have data.
        await page.waitForLoadState('networkidle');
        const o = await horizontalOverflow(page);
        expect(o.excess, `${path} overflows by ${o.excess}px: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(0);
      }
    });
  });
}

test.describe('phone menu', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test('the org tabs become a menu that names the current page and navigates', async ({ page }) => {
    await signInAsDemo(page, DEMO.user);
    await open(page, `/${DEMO.org.slug}/runs`);
    await expect(page.getByRole('navigation', { name: 'Organization' })).toBeHidden();
    const menu = page.getByTestId('tabs-menu').first();
    await expect(menu.locator('summary')).toContainText('Runs');
    await menu.locator('summary').click();
    await menu.getByRole('link', { name: 'Models' }).click();
    await expect(page).toHaveURL(new RegExp(`/${DEMO.org.slug}/models$`));
  });
});
