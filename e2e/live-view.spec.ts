import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { cancelRun, open, signInAsDemo } from './helpers';
import { VIEWPORTS } from './pages';

let scenarios: { liveId: string; replayId: string; fleetId: string };
test.beforeAll(() => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/live-scenarios.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  scenarios = JSON.parse(out.trim().split('\n').at(-1)!) as typeof scenarios;
});

const org = `/${DEMO.org.slug}`;
const lastT = async (page: Page, id = 'chart-speed') => Number(await page.getByTestId(id).getAttribute('data-last-t'));
const firstT = async (page: Page, id = 'chart-speed') =>
  Number(await page.getByTestId(id).getAttribute('data-first-t'));

const LANE_IDS = ['chart-speed', 'chart-accel', 'chart-engine', 'chart-brake', 'chart-tyres', 'chart-battery'];

// How long a started run may take to reach the state a test waits for.
const STATE_TIMEOUT = { running: 30_000, completed: 90_000 };

/** Starts the scenario's latest version, waits on the run until it is in `state`, returns its URL. */
async function startRun(page: Page, scenarioId: string, state: keyof typeof STATE_TIMEOUT): Promise<string> {
  await open(page, `${org}/scenarios/${scenarioId}`);
  await page.getByRole('button', { name: 'Run latest version' }).click();
  // A run that finishes at once opens in replay, which puts its playhead in the query.
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+(\?.*)?$/);
  const runUrl = page.url().split('?')[0]!;
  await expect(page.getByTestId('run-state')).toHaveText(state, { timeout: STATE_TIMEOUT[state] });
  return runUrl;
}

test('a late joiner sees at least 60 s of history; pause freezes the charts while data keeps coming', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAsDemo(page, DEMO.user);
  const runUrl = await startRun(page, scenarios.liveId, 'running');
  // Leave, and come back once the run has driven well past a minute (2× real time).
  await open(page, org);
  await page.waitForTimeout(45_000);
  // Each viewport joins afresh (a page load is a new socket), phone first: the phone's layout
  // stacks the charts, and the history and pause must hold there too.
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    await open(page, runUrl);
    const speed = page.getByTestId('chart-speed');
    await expect(speed, vp.name).not.toHaveAttribute('data-last-t', '', { timeout: 15_000 });
    // Right after joining, live frames alone cover a few seconds: the rest is history.
    await expect
      .poll(async () => (await lastT(page)) - (await firstT(page)), { message: vp.name, timeout: 8_000 })
      .toBeGreaterThanOrEqual(60);

    await page.getByRole('button', { name: 'Pause' }).click();
    const frozen = await lastT(page);
    const frozenEngine = await lastT(page, 'chart-engine');
    await page.waitForTimeout(3_000);
    expect(await lastT(page), vp.name).toBe(frozen);
    expect(await lastT(page, 'chart-engine'), vp.name).toBe(frozenEngine);
    // …while the buffer kept filling: the badge says how far behind the frozen view is.
    await expect(page.getByTestId('paused-behind')).toHaveText(/^Paused · [1-9]\d* s behind$/);
    await page.getByRole('button', { name: 'Jump to live' }).click();
    await expect.poll(() => lastT(page), { message: vp.name, timeout: 5_000 }).toBeGreaterThan(frozen + 2);
    await expect(page.getByTestId('paused-behind')).toHaveCount(0);
  }
  await page.screenshot({ path: 'docs/screenshots/live.png' });

  await cancelRun(page);
});

test('the map frames every vehicle of a 20-vehicle run at its default zoom, names them on hover', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsDemo(page, DEMO.user);
  await startRun(page, scenarios.fleetId, 'running');
  const map = page.getByTestId('birds-eye');
  const markers = map.locator('[data-testid="ego-marker"], [data-testid="vehicle-marker"]');
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    // Off the map, so the label the last round's hover left is cleared.
    await page.mouse.move(0, 0);
    await expect(map).toHaveAttribute('data-mode', 'fit');
    await expect(markers).toHaveCount(20, { timeout: 15_000 });
    // Twice, a few seconds apart: the framing follows the vehicles as they drive.
    for (let round = 0; round < 2; round++) {
      const box = (await map.boundingBox())!;
      for (const dot of await markers.locator('circle').all()) {
        const b = (await dot.boundingBox())!;
        const where = `${vp.name}, round ${round}`;
        expect(b.x, where).toBeGreaterThanOrEqual(box.x);
        expect(b.y, where).toBeGreaterThanOrEqual(box.y);
        expect(b.x + b.width, where).toBeLessThanOrEqual(box.x + box.width);
        expect(b.y + b.height, where).toBeLessThanOrEqual(box.y + box.height);
      }
      await page.waitForTimeout(3_000);
    }
    // Names: the ego's always, another vehicle's when hovered; a legend says which colour is which.
    await expect(map.getByTestId('vehicle-label')).toHaveText(['ego']);
    // The vehicle with the most room around it: in a queue, a neighbour's marker drawn on top of
    // it would take the pointer.
    const name = await markers.evaluateAll((gs) => {
      const at = gs.map((g) => ({
        id: g.getAttribute('data-vehicle') ?? '',
        ego: g.getAttribute('data-testid') === 'ego-marker',
        x: Number(g.getAttribute('data-x')),
        y: Number(g.getAttribute('data-y')),
      }));
      const room = (a: (typeof at)[number]) =>
        Math.min(...at.filter((b) => b !== a).map((b) => Math.hypot(a.x - b.x, a.y - b.y)));
      return at.filter((a) => !a.ego).sort((a, b) => room(b) - room(a))[0]!.id;
    });
    const other = map.locator(`[data-testid="vehicle-marker"][data-vehicle="${name}"]`);
    // The vehicles drive on while the pointer travels, so another may be under it when it lands:
    // hover again at the vehicle's new place until its name shows.
    await expect(async () => {
      await other.locator('circle').hover({ force: true });
      await expect(map.getByTestId('vehicle-label').filter({ hasText: name })).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(page.getByTestId('map-legend')).toContainText('ego');
    await expect(page.getByTestId('map-legend')).toContainText('traffic');
    await expect(page.getByTestId('map-legend')).toContainText('alerting');
  }

  await cancelRun(page);
});

test('every live chart names its unit on the y axis and each of its values', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsDemo(page, DEMO.user);
  await startRun(page, scenarios.fleetId, 'running');
  const units = {
    'chart-speed': 'm/s',
    'chart-accel': 'm/s²',
    'chart-engine': '°C',
    'chart-brake': 'bar',
    'chart-tyres': 'kPa',
    'chart-battery': '°C',
  };
  for (const [id, unit] of Object.entries(units)) {
    await expect(page.getByTestId(id).locator('.chart-y-unit')).toHaveText(unit, { timeout: 15_000 });
  }
  const n = String.raw`-?\d+(\.\d+)?`;
  await expect(page.getByTestId('chart-speed').getByTestId('chart-values')).toHaveText(new RegExp(`^speed ${n} m/s$`));
  await expect(page.getByTestId('chart-accel').getByTestId('chart-values')).toHaveText(
    new RegExp(`^longitudinal ${n} m/s² · lateral ${n} m/s²$`),
  );
  await expect(page.getByTestId('chart-tyres').getByTestId('chart-values')).toHaveText(
    new RegExp(`^worst wheel (FL|FR|RL|RR) · lowest wheel ${n} kPa · highest wheel ${n} kPa$`),
  );
  // Two lines in one chart: the legend says which colour is which.
  const legend = page.getByTestId('chart-accel').locator('.recharts-legend-item');
  await expect(legend).toHaveText(['longitudinal', 'lateral']);

  await cancelRun(page);
});

test('clicking a timeline event seeks every chart of the replay to it', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsDemo(page, DEMO.user);
  const runUrl = await startRun(page, scenarios.replayId, 'completed');
  // Each viewport loads the replay afresh, so each click must really move every chart.
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    await open(page, runUrl);
    await expect(page.getByTestId('replay-panel')).toBeVisible({ timeout: 30_000 });
    const fault = page.locator('tr', { hasText: 'Fault starts' }).getByTestId('timeline-seek').first();
    await expect(fault).toBeVisible({ timeout: 30_000 });
    const t = Number((await fault.innerText()).replace(' s', ''));
    expect(t).toBeGreaterThan(20);
    await fault.click();
    await expect(page.getByTestId('playhead')).toHaveText(new RegExp(`^${t.toFixed(1)} /`));
    for (const id of LANE_IDS) {
      // Each chart ends at the event (the last recorded frame at or before it, 10 Hz replay).
      await expect
        .poll(() => lastT(page, id), { message: `${vp.name} ${id}`, timeout: 20_000 })
        .toBeGreaterThan(t - 0.5);
      expect(await lastT(page, id), `${vp.name} ${id}`).toBeLessThanOrEqual(t + 0.001);
    }
  }
  await page.screenshot({ path: 'docs/screenshots/replay.png' });
});

test('in replay the whole-run strip seeks, and the time-range brush zooms every chart', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsDemo(page, DEMO.user);
  await startRun(page, scenarios.replayId, 'completed');
  await page.reload();
  await expect(page.getByTestId('replay-panel')).toBeVisible({ timeout: 30_000 });
  const playhead = async () => Number((await page.getByTestId('playhead').innerText()).split(' ')[0]);
  const duration = Number((await page.getByTestId('playhead').innerText()).split('/')[1]!.replace(' s', ''));
  expect(duration).toBeGreaterThan(20);

  // A click at 80 % of the strip seeks to 80 % of the run.
  const strip = page.getByTestId('replay-overview');
  const sb = (await strip.boundingBox())!;
  await page.mouse.click(sb.x + sb.width * 0.8, sb.y + sb.height / 2);
  await expect.poll(async () => Math.abs((await playhead()) - duration * 0.8)).toBeLessThan(1);
  const t = await playhead();
  for (const id of LANE_IDS) await expect.poll(() => lastT(page, id), { timeout: 20_000 }).toBeGreaterThan(t - 0.5);
  const before = await firstT(page);

  // Dragging the brush's left handle halfway narrows every chart to the same later range.
  const zoom = page.getByTestId('chart-zoom');
  const handle = zoom.locator('.recharts-brush-traveller').first();
  const hb = (await handle.boundingBox())!;
  const zb = (await zoom.locator('.recharts-brush').boundingBox())!;
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(zb.x + zb.width * 0.5, hb.y + hb.height / 2, { steps: 10 });
  await page.mouse.up();
  const rangeFrom = async () => Number(((await zoom.getAttribute('data-range')) ?? '').split(' ')[0] || 0);
  await expect.poll(rangeFrom).toBeGreaterThan(before + 5);
  const from = await rangeFrom();
  for (const id of LANE_IDS) {
    await expect.poll(() => firstT(page, id)).toBeGreaterThanOrEqual(from);
    expect(await firstT(page, id)).toBeLessThan(from + 1);
    expect(await lastT(page, id)).toBeGreaterThan(t - 0.5);
  }
  // …and "Show all" gives every chart its whole range back.
  await zoom.getByRole('button', { name: 'Show all' }).click();
  for (const id of LANE_IDS) await expect.poll(() => firstT(page, id)).toBe(before);
});
