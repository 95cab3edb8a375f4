import type { Page } from '@playwright/test';

/** Waits until React has hydrated the page (the provider marks <html data-hydrated>). */
export async function ready(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

export async function open(page: Page, path: string) {
  const res = await page.goto(path);
  await ready(page);
  return res;
}
