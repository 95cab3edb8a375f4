import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';
import { portalPages, PUBLIC_PAGES, seedPages, VIEWPORTS, type PageIds } from './pages';

// Phone and desktop: the phone layout swaps the org tabs for a menu and stacks the tables, so its
// markup is checked on its own.

let ids: PageIds;
test.beforeAll(() => {
  ids = seedPages();
});

/**
 * Serious and critical axe violations of the page, one line each (rule, count, first target).
 * Checked with expect.soft, so one run lists every page that fails, not only the first.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes[0]?.target.join(' ')}`);
}

for (const vp of VIEWPORTS) {
  test.describe(`${vp.name} ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test('no public page has serious or critical accessibility violations', async ({ page }) => {
      test.setTimeout(120_000);
      for (const path of PUBLIC_PAGES) {
        await open(page, path);
        expect.soft(await seriousViolations(page), path).toEqual([]);
      }
    });

    test('no portal page has serious or critical accessibility violations', async ({ page }) => {
      test.setTimeout(300_000);
      await signInAsDemo(page, DEMO.user);
      for (const path of portalPages(ids)) {
        await open(page, path);
        await page.waitForLoadState('networkidle');
        expect.soft(await seriousViolations(page), path).toEqual([]);
      }
    });
  });
}
