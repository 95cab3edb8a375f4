import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { open, signInAsDemo } from './helpers';

interface Seeded {
  experimentId: string;
  runIds: string[];
  modelId: string;
  versionId: string;
  jobId: string;
  datasetId: string;
  datasetName: string;
  datasetVersionId: string;
  scenarioName: string;
  campaignId: string;
}

/** A four-run search, its best run's job, version and alias, and a finished campaign (fixtures/experiment-compare.ts). */
function seed(): Seeded {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/experiment-compare.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Seeded;
}

let ids: Seeded;
test.beforeAll(() => {
  ids = seed();
});

const firstRun = (page: Page) => page.getByTestId('experiment-runs').locator('tbody tr').first();

test('experiments compare like MLflow: sortable metrics, params apart, diff-only, best value, parallel chart', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/experiments/${ids.experimentId}?runs=${ids.runIds.join(',')}`);

  // Metric columns in words, sortable best-first, then reversed.
  const runs = page.getByTestId('experiment-runs');
  await expect(runs.locator('thead')).toContainText('ROC-AUC');
  await expect(runs.locator('thead')).not.toContainText('rocAuc');
  await page.getByTestId('sort-f1').click();
  await expect(firstRun(page)).toHaveAttribute('data-run', 'search #3');
  await expect(runs.locator('th[aria-sort="descending"]')).toContainText('F1');
  await page.getByTestId('sort-f1').click();
  await expect(firstRun(page)).toHaveAttribute('data-run', 'search #4');

  // Metrics and parameters in their own sections, with human labels.
  const metrics = page.getByTestId('compare-metrics');
  const params = page.getByTestId('compare-params');
  await expect(metrics).toContainText('F1');
  await expect(metrics).not.toContainText('Learning rate');
  await expect(params).toContainText('Learning rate');
  await expect(params).toContainText('Hidden layers');
  await expect(params).not.toContainText('learningRate');
  // The best value of each metric row is highlighted (higher F1, one cell only).
  const f1Row = metrics.locator('tr[data-row="f1"]');
  await expect(f1Row.locator('[data-best]')).toHaveCount(1);
  await expect(f1Row.locator('[data-best]')).toContainText('0.8700');

  // Diff-only hides what every run shares: batch size, precision, the dataset.
  await expect(params.locator('tr[data-row="batchSize"]')).toHaveCount(1);
  await expect(metrics.locator('tr[data-row="precision"]')).toHaveCount(1);
  await page.getByTestId('diff-only').check();
  await expect(params.locator('tr[data-row="batchSize"]')).toHaveCount(0);
  await expect(params.locator('tr[data-row="dataset"]')).toHaveCount(0);
  await expect(metrics.locator('tr[data-row="precision"]')).toHaveCount(0);
  await expect(params.locator('tr[data-row="learningRate"]')).toHaveCount(1);
  await expect(metrics.locator('tr[data-row="f1"]')).toHaveCount(1);

  // Parallel coordinates: one line per run across the varied parameters and the metrics.
  const chart = page.getByTestId('parallel-chart');
  await expect(chart).toHaveAttribute('data-lines', '4');
  await expect(chart.locator('polyline.parallel-line')).toHaveCount(4);
  await expect(chart).toContainText('Learning rate (log)');
  await expect(chart).toContainText('F1');

  await page.waitForLoadState('networkidle');
  await page.getByTestId('compare-chart').scrollIntoViewIfNeeded();
  // Back to the top for the full-page shot: the sticky header is drawn where the page is scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/screenshots/compare.png', fullPage: true });
});

test('model lineage is a compact graph, dataset → job → version → aliases, with details on click', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/models/${ids.modelId}?version=1`);
  const lineage = page.getByTestId('lineage');
  await expect(page.getByTestId('lineage-node-dataset')).toContainText(`${ids.datasetName} v1`);
  await expect(page.getByTestId('lineage-node-job')).toContainText('MLP classifier');
  await expect(page.getByTestId('lineage-node-version')).toContainText('v1');
  await expect(page.getByTestId('lineage-node-alias:production')).toContainText('production');
  // Compact: the graph and its open details fit in a few hundred pixels.
  expect((await lineage.boundingBox())!.height).toBeLessThan(700);

  await page.getByTestId('lineage-node-dataset').click();
  const details = page.getByTestId('lineage-details');
  await expect(details).toContainText('4,800');
  await expect(details.getByRole('link', { name: ids.datasetName })).toHaveAttribute(
    'href',
    `/${DEMO.org.slug}/datasets/${ids.datasetId}`,
  );
  await page.getByTestId('lineage-node-job').click();
  await expect(details).toContainText('completed');
  await expect(details.getByRole('link', { name: 'search #3' })).toHaveAttribute('href', /\/experiments\/.+\?runs=/);
  await page.getByTestId('lineage-node-alias:production').click();
  await expect(details).toContainText('all requests');
});

test('campaign heatmap axes and run columns name their parameters with units', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/campaigns/${ids.campaignId}`);
  await expect(page.getByTestId('heatmap-x-title')).toHaveText('Traffic vehicles');
  await expect(page.getByTestId('heatmap-y-title')).toHaveText('Ego target speed (m/s)');
  const head = page.getByTestId('campaign-runs').locator('thead');
  await expect(head).toContainText('Ego target speed (m/s)');
  await expect(head).not.toContainText('ego.targetSpeed');
});

test('training and campaign forms say what is wrong at the field, in words', async ({ page }) => {
  test.setTimeout(90_000);
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/training/new`);
  await page.getByTestId('training-dataset').selectOption(ids.datasetVersionId);
  await page.getByTestId('training-kind').selectOption('mlp-classifier');
  await expect(page.getByTestId('param-epochs')).not.toHaveValue('');
  await page.getByTestId('param-learningRate').fill('0');
  await page.getByTestId('param-epochs').fill('lots');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('param-learningRate')).toHaveAccessibleDescription('Learning rate must be more than 0');
  await expect(page.getByTestId('param-epochs')).toHaveAccessibleDescription('Max epochs must be a number');
  // No error banner in the page (Next's route announcer outside <main> is an alert too).
  await expect(page.getByRole('main').getByRole('alert')).toHaveCount(0);
  await expect(page).toHaveURL(/\/training\/new/);

  await open(page, `/${DEMO.org.slug}/campaigns/new`);
  // A disabled button says why.
  await expect(page.getByText('Choose a scenario first')).toBeVisible();
  const scenario = page.getByRole('combobox', { name: /^Scenario/ });
  const value = await scenario.locator('option', { hasText: ids.scenarioName }).first().getAttribute('value');
  await scenario.selectOption(value ?? '');
  await page.getByTestId('dim-1-min').fill('30');
  await page.getByTestId('dim-1-max').fill('20');
  await page.getByRole('spinbutton', { name: 'Runs' }).fill('0');
  await page.getByRole('button', { name: 'Launch campaign' }).click();
  await expect(page.getByTestId('dim-1-max')).toHaveAccessibleDescription('To must be greater than From (30 m/s)');
  await expect(page.getByRole('spinbutton', { name: 'Runs' })).toHaveAccessibleDescription('Runs must be at least 1');
  await expect(page).toHaveURL(/\/campaigns\/new/);
  // The swept parameters are offered by name and unit.
  await expect(page.getByRole('combobox', { name: 'Parameter' }).nth(1)).toContainText('Ego target speed (m/s)');
});

test('the dataset run picker lists runs by scenario and start time, not id fragments', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/datasets/new`);
  const rows = page.getByTestId('dataset-runs').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const first = rows.first();
  await expect(first.locator('td').nth(1)).toHaveText(/ v\d+$/);
  await expect(first.locator('td').nth(2)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(first.getByRole('checkbox')).toHaveAttribute('aria-label', /^select run .+ v\d+ started \d{4}-/);
});
