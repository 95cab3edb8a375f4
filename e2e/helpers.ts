import { expect, type Page } from '@playwright/test';

/** Waits until React has hydrated the page (the provider marks <html data-hydrated>). */
export async function ready(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

export async function open(page: Page, path: string) {
  const res = await page.goto(path);
  await ready(page);
  return res;
}

/** Signs in through the form as the seeded demo user (the account `npm run demo` prints). */
export async function signInAsDemo(page: Page, user: { email: string; password: string }): Promise<void> {
  await open(page, '/signin');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Cancels the open run: the button asks first, and the dialog's own button confirms. */
export async function cancelRun(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('cancelled', { timeout: 15_000 });
}
