import { expect, test } from '@playwright/test';
import { open } from './helpers';

test('every page links a favicon, app icons, a manifest and a social image that all load', async ({
  page,
  request,
}) => {
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await open(page, '/signin');

  const hrefs = await page
    .locator('link[rel="icon"], link[rel="apple-touch-icon"], link[rel="manifest"]')
    .evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).getAttribute('href')!));
  expect(hrefs).toEqual(
    expect.arrayContaining(['/favicon.svg', '/favicon.ico', '/apple-touch-icon.png', '/manifest.webmanifest']),
  );
  const og = await page.locator('meta[property="og:image"]').getAttribute('content');
  expect(og).toMatch(/\/og-image\.png$/);

  for (const href of [...hrefs, new URL(og!).pathname, '/icon-512.png']) {
    const res = await request.get(href);
    expect(res.status(), href).toBe(200);
  }
  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as {
    name: string;
    icons: { src: string; sizes: string }[];
  };
  expect(manifest.name).toBe('DriveLab');
  expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  // The browser's own /favicon.ico request, and anything else the page loads, finds its file.
  expect((await request.get('/favicon.ico')).headers()['content-type']).toMatch(/icon/);
  expect(missing).toEqual([]);
});
