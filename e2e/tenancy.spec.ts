import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { open, ready } from './helpers';

const run = promisify(execFile);
const PASSWORD = 'test-password-42';

async function signUp(page: Page, name: string, email: string) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('sign up, create an org, invite a colleague through a link; each sees exactly their orgs', async ({
  page,
  browser,
  baseURL,
}) => {
  const tag = randomBytes(3).toString('hex');
  const alice = `alice-${tag}@example.test`;
  const bob = `bob-${tag}@example.test`;

  // Alice signs up and creates an organization.
  await open(page, '/signup');
  await signUp(page, 'Alice', alice);
  await expect(page).toHaveURL(/\/orgs$/);
  await expect(page.getByText('You are not in any organization yet')).toBeVisible();
  await page.getByLabel('Organization name').fill(`Alpha ${tag}`);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('org-name')).toHaveText(`Alpha ${tag}`);
  const alphaSlug = new URL(page.url()).pathname.slice(1);

  // She creates an invitation link for an engineer.
  await open(page, `/${alphaSlug}/settings?tab=invites`);
  await page.getByLabel('Role').selectOption('engineer');
  await page.getByRole('button', { name: 'Create link' }).click();
  const link = (await page.getByTestId('invite-link').textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
  await page.screenshot({ path: '.state/test-results/invites.png', fullPage: true });

  // Bob opens the link in his own browser, signs up through it and joins.
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  await open(bobPage, link);
  await expect(bobPage.getByText(`invited you to join Alpha ${tag}`)).toBeVisible();
  await bobPage.getByRole('link', { name: 'Create an account to join' }).click();
  await ready(bobPage);
  await signUp(bobPage, 'Bob', bob);
  await expect(bobPage).toHaveURL(/\/invite\//);
  await ready(bobPage);
  await bobPage.getByRole('button', { name: `Join Alpha ${tag}` }).click();
  await expect(bobPage.getByTestId('org-name')).toHaveText(`Alpha ${tag}`);

  // Bob also creates an organization of his own.
  await open(bobPage, '/orgs');
  await bobPage.getByLabel('Organization name').fill(`Beta ${tag}`);
  await bobPage.getByRole('button', { name: 'Create organization' }).click();
  await expect(bobPage.getByTestId('org-name')).toHaveText(`Beta ${tag}`);
  const betaSlug = new URL(bobPage.url()).pathname.slice(1);

  // Each sees exactly the orgs they belong to.
  await open(bobPage, '/orgs');
  await expect(bobPage.getByTestId('org-tile')).toHaveCount(2);
  await expect(bobPage.getByTestId('org-list')).toContainText(`Alpha ${tag}`);
  await expect(bobPage.getByTestId('org-list')).toContainText(`Beta ${tag}`);
  await open(page, '/orgs');
  await expect(page.getByTestId('org-tile')).toHaveCount(1);
  await expect(page.getByTestId('org-list')).not.toContainText(`Beta ${tag}`);
  await page.screenshot({ path: '.state/test-results/orgs.png', fullPage: true });

  // Alice cannot open Bob's org, not even to learn that it exists.
  const res = await page.goto(`/${betaSlug}`);
  expect(res?.status()).toBe(404);

  // Alice sees Bob in her members list with the invited role.
  await open(page, `/${alphaSlug}/settings?tab=members`);
  await expect(page.getByTestId('members-table')).toContainText(bob);
  await expect(page.getByLabel(`Role of ${bob}`)).toHaveValue('engineer');

  // An API key created in the portal drives the README's typed-client example.
  await open(page, `/${alphaSlug}/settings?tab=keys`);
  await page.getByLabel('Name').fill('example script');
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  expect(key).toMatch(/^dlk_/);
  await page.screenshot({ path: '.state/test-results/api-keys.png', fullPage: true });
  const { stdout } = await run('node_modules/.bin/tsx', ['scripts/examples/list-org.ts'], {
    env: { ...process.env, DRIVELAB_URL: baseURL, DRIVELAB_API_KEY: key },
  });
  expect(stdout).toContain(`Alpha ${tag} (${alphaSlug}) — this key acts as viewer`);
  expect(stdout).toContain(alice);
  expect(stdout).toContain(bob);
  expect(stdout).not.toContain(`Beta ${tag}`);

  // The audit log shows what happened, to admins.
  await open(page, `/${alphaSlug}/settings?tab=audit`);
  const audit = page.getByTestId('audit-table');
  for (const action of ['org.created', 'invite.created', 'member.added', 'apikey.created'])
    await expect(audit).toContainText(action);
  await page.screenshot({ path: '.state/test-results/audit.png', fullPage: true });
  await bobContext.close();
});

test('wrong passwords are refused, then throttled with a clear message', async ({ page, request }) => {
  const email = `carol-${randomBytes(3).toString('hex')}@example.test`;
  await open(page, '/signup');
  await signUp(page, 'Carol', email);
  await expect(page).toHaveURL(/\/orgs$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await ready(page);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.alert[role=alert]')).toHaveText('Wrong email or password.');

  // The e2e server allows 5 failures per window (SIGNIN_RATE_LIMIT); spend the rest directly.
  const csrf = ((await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string }).csrfToken;
  for (let i = 0; i < 4; i++) {
    await request.post('/api/auth/callback/credentials', {
      form: { email, password: `wrong-${i}`, csrfToken: csrf, json: 'true' },
    });
  }
  const limited = await request.post('/api/auth/callback/credentials', {
    form: { email, password: PASSWORD, csrfToken: csrf, json: 'true' },
  });
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.alert[role=alert]')).toContainText('Too many failed attempts');
  await page.screenshot({ path: '.state/test-results/throttled.png' });
});
