import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { SIGNATURE_HEADER, verifyWebhook } from '../server/drift/webhook';
import { open, signInAsDemo } from './helpers';

// The org's webhook in the portal's settings: an admin saves a URL, gets its signing secret once,
// sends a test delivery that a real receiver (started here) gets signed, and removes it.
let server: Server;
const calls: { body: string; signature: string }[] = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      calls.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
});

test.afterAll(() => {
  server?.close();
});

test('an admin sets the org webhook, sends a signed test delivery and removes it', async ({ page }) => {
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/settings?tab=webhook`);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  await page.getByLabel('Webhook URL').fill(url);
  await page.getByRole('button', { name: /Save webhook|Replace URL and secret/ }).click();
  const secretBox = page.getByTestId('webhook-secret');
  await expect(secretBox).toContainText('whsec_');
  const secret = (await secretBox.locator('code').textContent())!.trim();
  await expect(page.getByTestId('webhook-url-current')).toHaveText(url);
  await expect(page.getByTestId('webhook-last')).toHaveText('No delivery yet.');

  await page.getByRole('button', { name: 'Send test delivery' }).click();
  await expect(page.getByTestId('webhook-test-result')).toHaveText('Test delivered: the receiver answered HTTP 204.');
  await expect(page.getByTestId('webhook-last')).toContainText('HTTP 204');
  expect(calls).toHaveLength(1);
  expect(verifyWebhook(secret, calls[0]!.signature, calls[0]!.body, Math.floor(Date.now() / 1000))).toBe(true);
  await page.screenshot({ path: '.state/test-results/webhook-settings.png', fullPage: true });

  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove webhook' }).click();
  await expect(page.getByTestId('webhook-current')).toHaveCount(0);
});
