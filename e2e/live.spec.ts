import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { cancelRun, open, runFromScenarioList, signInAsDemo } from './helpers';

test('during a live run the charts move and the ego moves on the map', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);

  await runFromScenarioList(page, DEMO.org.slug, DEMO.scenario.name);
  await expect(page.getByTestId('live-connection')).toHaveText('Live');
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 30_000 });

  const speed = page.getByTestId('chart-speed');
  const ego = page.getByTestId('ego-marker');
  await expect(speed).not.toHaveAttribute('data-last-t', '', { timeout: 15_000 });
  const t1 = Number(await speed.getAttribute('data-last-t'));
  const x1 = await ego.getAttribute('data-x');
  const y1 = await ego.getAttribute('data-y');
  await page.waitForTimeout(2500);
  const t2 = Number(await speed.getAttribute('data-last-t'));
  expect(t2).toBeGreaterThan(t1 + 1);
  const moved = (await ego.getAttribute('data-x')) !== x1 || (await ego.getAttribute('data-y')) !== y1;
  expect(moved).toBe(true);
  await expect(page.getByTestId('live-latency')).toContainText(/\d+ ms/);
  await page.screenshot({ path: '.state/test-results/live-run.png', fullPage: true });

  // The fleet overview shows it in flight, with the pipeline's throughput.
  const runUrl = page.url();
  await open(page, `/${DEMO.org.slug}`);
  await expect(page.getByTestId('fleet-active')).toContainText(DEMO.scenario.name);
  await expect(page.getByTestId('pipeline-telemetry')).toContainText(/[1-9][\d,]* frames\/s/, { timeout: 15_000 });
  // …and its vehicles with their latest features from the online store, updating as windows close.
  const egoRow = page.getByTestId('fleet-vehicles').locator('tr[data-vehicle="ego"]').first();
  await expect(egoRow).toContainText(/\d+\.\d m\/s/, { timeout: 15_000 });
  const window1 = await egoRow.locator('td').last().innerText();
  await expect.poll(async () => egoRow.locator('td').last().innerText(), { timeout: 10_000 }).not.toBe(window1);
  await page.screenshot({ path: '.state/test-results/fleet.png', fullPage: true });

  await open(page, runUrl);
  await cancelRun(page);
});
