import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, ready, signInAsDemo } from './helpers';

interface Registered {
  modelId: string;
  versions: { id: string; version: number; metrics: Record<string, number> }[];
}

/**
 * Two real versions (a tiny autoencoder trained by the trainer core, exported to ONNX) are
 * registered in the demo org; the portal promotes one to production through a metric gate.
 */
function registerVersions(name: string): Registered {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/demo-model.ts', '--org', DEMO.org.slug, '--name', name, '--versions', '2'],
    {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Registered;
}

const name = `E2E detector ${Date.now().toString(36)}`;

// The demo org's production models score every live run (inference): this one must not outlive
// its test and alert on later runs.
test.afterAll(() => {
  execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/inference-model.ts', '--retire', name], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
});

test('a registered version is promoted to production through a metric gate, and the model page shows it', async ({
  page,
}) => {
  const reg = registerVersions(name);
  expect(reg.versions.map((v) => v.version)).toEqual([1, 2]);
  const v2 = reg.versions[1]!;

  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/models`);
  await expect(
    page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Models' }),
  ).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('model-list').getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/models/${reg.modelId}$`));
  await ready(page);
  await expect(page.getByTestId('model-name')).toHaveText(name);
  await expect(page.getByTestId('version-table').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('metric-chart')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('feature-list').locator('tbody tr')).toHaveCount(6);
  await expect(page.getByTestId('lineage')).toContainText('dataset.fingerprint');

  const panel = page.getByTestId('alias-panel');
  await panel.getByLabel('Version', { exact: true }).selectOption({ label: 'v2' });
  await panel.getByLabel('Alias', { exact: true }).fill('production');
  await panel.getByLabel('Gate').selectOption('min');
  await panel.getByLabel('Metric', { exact: true }).selectOption('f1');

  // A gate the version cannot pass is refused with the reason, and nothing moves.
  await panel.getByLabel('Threshold').fill('1.5');
  await panel.getByRole('button', { name: 'Promote' }).click();
  await expect(panel.getByRole('alert')).toContainText(/Gate refused: f1 of v2 is [\d.]+, below the minimum 1\.5/);
  await expect(page.getByTestId('alias-row-production')).toHaveCount(0);

  const bar = Math.floor(v2.metrics.f1! * 100) / 100;
  await panel.getByLabel('Threshold').fill(String(bar));
  await panel.getByRole('button', { name: 'Promote' }).click();
  await expect(panel.getByRole('status')).toHaveText('production → v2');
  await expect(page.getByTestId('alias-version-production')).toHaveText('v2');
  await expect(page.getByTestId('alias-history').locator('li').first()).toContainText(`production set to v2`);
  await expect(page.getByTestId('alias-history').locator('li').first()).toContainText(`gate: f1 ≥ ${bar}`);
  await expect(page.getByTestId('version-row-2')).toContainText('production');

  // The page's ONNX download works with the session and returns the model file.
  const href = await page
    .getByTestId('downloads')
    .getByRole('link', { name: /ONNX model/ })
    .getAttribute('href');
  expect(href).toBe(`/api/v1/models/${reg.modelId}/versions/2/model.onnx?org=${DEMO.org.slug}`);
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/octet-stream');
  expect((await res.body()).byteLength).toBeGreaterThan(1000);

  // A canary beside production, then a promotion and a rollback, all from the page.
  await panel.getByLabel('Canary alias').selectOption('production');
  await panel.getByLabel('Canary version').selectOption({ label: 'v1' });
  await panel.getByLabel('Share (%)').fill('25');
  await panel.getByRole('button', { name: 'Start canary' }).click();
  await expect(page.getByTestId('alias-row-production')).toContainText('v1 · 25%');
  await panel.getByLabel('Version', { exact: true }).selectOption({ label: 'v1' });
  await panel.getByLabel('Alias', { exact: true }).fill('staging');
  await panel.getByLabel('Gate').selectOption('none');
  await panel.getByRole('button', { name: 'Promote' }).click();
  await expect(page.getByTestId('alias-version-staging')).toHaveText('v1');
  await panel.getByLabel('Version', { exact: true }).selectOption({ label: 'v2' });
  await panel.getByRole('button', { name: 'Promote' }).click();
  await expect(page.getByTestId('alias-version-staging')).toHaveText('v2');
  await page.getByTestId('alias-row-staging').getByRole('button', { name: 'Roll back' }).click();
  await expect(panel.getByRole('status')).toHaveText('staging rolled back to v1');
  await expect(page.getByTestId('alias-version-staging')).toHaveText('v1');
  await expect(page.getByTestId('alias-history').locator('li').first()).toContainText('staging rolled back v2 → v1');
  await expect(page.getByTestId('alias-history').locator('li')).toHaveCount(5);

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('alias-version-production')).toHaveText('v2');
  await expect(page.getByTestId('feature-list')).toBeVisible();
  await page.screenshot({ path: '.state/test-results/model-page.png', fullPage: true });
  await open(page, `/${DEMO.org.slug}/models`);
  await expect(
    page.getByTestId('model-list').locator('tr', { hasText: name }).getByTestId('alias-production'),
  ).toContainText('v2');
  await page.screenshot({ path: '.state/test-results/models-list.png', fullPage: true });
});
