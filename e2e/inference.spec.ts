import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { endRun, open, runFromScenarioList, signInAsDemo } from './helpers';

// A live simulated run with an injected battery thermal runaway must raise an anomaly alert in the run
// view. The inference worker runs as its own process (started here, next to the portal, simulator,
// recorder, features worker and trainer of playwright.config.ts); the model is an autoencoder trained in
// setup on fault-free simulated runs (e2e/fixtures/inference-model.ts) and deployed as production.
const port = Number(process.env.E2E_PORT ?? 3100);
// portal +0, sim +91, recorder +92, features +93, trainer +94 (playwright.config.ts)
const inferencePort = port + 96;
const children: ChildProcess[] = [];
let fixture: { modelName: string; scenarioName: string; apiKey: string; versionId: string };

function startWorker(file: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitForOk(url: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await fetch(url, init)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  startWorker('workers/inference/main.ts', {
    METRICS_PORT: String(port + 97),
    INFERENCE_HTTP_PORT: String(inferencePort),
    DRIVELAB_SERVICE: 'inference-e2e',
  });
  await waitForOk(`http://127.0.0.1:${inferencePort}/v2/health/ready`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'e2e/fixtures/inference-model.ts'],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 180_000 },
  );
  fixture = JSON.parse(stdout.trim().split('\n').at(-1)!);
  // The worker picked the new deployment up from dl.models.
  await waitForOk(
    `http://127.0.0.1:${inferencePort}/v2/models/${fixture.modelName}/ready`,
    { headers: { authorization: `Bearer ${fixture.apiKey}` } },
    30_000,
  );
});

test.afterAll(async () => {
  // The fixture's model stops serving the demo org (its alias goes; the worker drops it on dl.models).
  if (fixture) {
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'e2e/fixtures/inference-model.ts', '--retire', fixture.modelName],
      { env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 60_000 },
    ).catch(() => undefined);
  }
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
});

test('an injected fault in a live run raises an anomaly alert in the run view', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsDemo(page, DEMO.user);
  await runFromScenarioList(page, DEMO.org.slug, fixture.scenarioName);
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 60_000 });

  // Scores stream into the anomaly lane for the ego while the engine is still healthy…
  const lane = page.getByTestId('chart-anomaly');
  await expect(lane).not.toHaveAttribute('data-last-score', '', { timeout: 45_000 });

  // …and the thermal runaway (from 20 s of simulated time, at 2× real time) crosses the threshold.
  const alerts = page.getByTestId('timeline-alert').filter({ hasText: fixture.modelName });
  const alert = alerts.first();
  await expect(alert).toBeVisible({ timeout: 90_000 });
  await expect(alert).toContainText('Anomaly alert');
  await expect(alert).toContainText('ego');
  // Its "why": the window's features that moved the score, each with its value and contribution.
  const why = alert.getByTestId('alert-why');
  await expect(why).toBeVisible({ timeout: 30_000 });
  const features = why.getByTestId('alert-why-feature');
  await expect(features.first()).toBeVisible();
  expect(await features.count()).toBeGreaterThanOrEqual(1);
  let measured = 0;
  for (const f of await features.all()) {
    const name = await f.getAttribute('data-feature');
    expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    // "name = value (±contribution)"; a value the window lacked reads "no data".
    await expect(f).toHaveText(new RegExp(`^${name} = (-?\\d+(\\.\\d+)?|no data) \\([+−]\\d+\\.\\d+\\)$`));
    if (!(await f.textContent())!.includes('no data')) measured += 1;
  }
  // The alerting window had readings: at least one feature shows its value.
  expect(measured).toBeGreaterThanOrEqual(1);
  // Not a false alarm from before the fault: the alerting window ends after its onset.
  const t = Number((await alert.locator('td').first().textContent())!.replace(' s', ''));
  expect(t).toBeGreaterThan(20);
  await expect(page.getByTestId('live-alert-count')).toHaveText(/[1-9]\d* alerts?/);
  // One alert per episode: the fault goes on, no second alert for the ego.
  await page.waitForTimeout(5000);
  await expect(alerts).toHaveCount(1);
  await page.screenshot({ path: '.state/test-results/inference-run.png', fullPage: true });

  // The fleet overview counts it, and the serving page shows the version at work.
  const runUrl = page.url();
  await open(page, `/${DEMO.org.slug}`);
  await expect(page.getByTestId('fleet-alerts')).not.toHaveText('0');
  // (other production models of the demo org may add alerts of their own to the run's count)
  await expect(page.getByTestId('fleet-active')).toContainText(/[1-9]\d* alerts?/);
  await page.screenshot({ path: '.state/test-results/inference-fleet.png', fullPage: true });
  await open(page, `/${DEMO.org.slug}/serving`);
  const card = page.getByTestId(`deployment-${fixture.modelName}-production`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId('serving-predictions')).toContainText(/[1-9]/, { timeout: 15_000 });
  await page.screenshot({ path: '.state/test-results/inference-serving.png', fullPage: true });

  await open(page, runUrl);
  // The run (150 s at 2×) may finish while the fleet and serving pages are checked, or during the
  // cancel itself.
  await endRun(page);
});
