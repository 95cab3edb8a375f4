import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { sharedDir } from '../tests/unit/openscenario/helpers';
import { open, ready, signInAsDemo } from './helpers';

test('upload Town01, place the ego on a lane, run it and see the lanes on the live map', async ({ page }) => {
  test.setTimeout(150_000);
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/scenarios/new`);
  const stamp = Date.now().toString(36);
  await page.getByLabel('Scenario name').fill(`On Town01 e2e ${stamp}`);

  // Upload CARLA's Town01 from the studio; it becomes the scenario's map.
  await page.getByText('Upload an OpenDRIVE map (.xodr)').click();
  await page.getByLabel('Map name').fill(`Town01 e2e ${stamp}`);
  await page.getByLabel('OpenDRIVE file').setInputFiles(join(sharedDir, 'opendrive', 'Town01.xodr'));
  await page.getByRole('button', { name: 'Upload map' }).click();
  await expect(page.getByRole('combobox', { name: 'Map', exact: true })).toHaveValue(/^org:/, { timeout: 30_000 });
  const lanes = page.getByTestId('place-lane');
  await expect(lanes).toHaveCount(123);

  // Click road 1's lane 1 on the drawn network: the ego starts there.
  await page.locator('[data-testid="place-lane"][data-lane="1:0:1"]').click();
  await expect(page.getByRole('combobox', { name: 'Ego start lane' })).toHaveValue('1:0:1');
  await expect(page.getByTestId('place-ego')).toBeVisible();
  const s = Number(await page.getByLabel('Ego start s (m)').inputValue());
  expect(s).toBeGreaterThan(0);

  await page.getByLabel('Vehicles').fill('6');
  await page.getByLabel('Duration (s)').fill('40');
  await page.getByRole('button', { name: 'Create scenario' }).click();
  await expect(page.getByRole('button', { name: 'Run latest version' })).toBeVisible({ timeout: 30_000 });
  await ready(page);
  // The saved scenario kept the lane position.
  await expect(page.getByRole('combobox', { name: 'Ego start lane' })).toHaveValue('1:0:1');

  await page.getByRole('button', { name: 'Run latest version' }).click();
  await expect(page).toHaveURL(/\/runs\//);
  // The live map draws Town01's lane surfaces (not a built-in map) and the ego on them.
  const map = page.getByTestId('birds-eye');
  await expect(map).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('ego-marker')).toBeVisible({ timeout: 30_000 });
  expect(await map.getByTestId('map-lane').count()).toBeGreaterThan(100);
  await page.screenshot({ path: '.state/test-results/maps-live.png', fullPage: true });
});
