import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import Provider from 'oidc-provider';
import { open, ready } from './helpers';
import { OIDC_E2E } from './oidc-e2e';

// The whole single sign-on flow in Chromium against a real OpenID provider (oidc-provider, a
// certified implementation) started here, on the port playwright.config.ts gives the web server
// as OIDC_ISSUER. Its development login form accepts any login; the login picks the account.

const tag = randomBytes(3).toString('hex');
const PASSWORD = 'test-password-42';
const emails = { olive: `olive-${tag}@example.test`, vic: `vic-${tag}@example.test`, ben: `ben-${tag}@example.test` };

/**
 * The provider's logins and what it says about each: mallory claims Vic's address, unverified.
 * Logins (the ID token's subject) and the group are new in every run: the database outlives the
 * provider, and a subject linked by an earlier run would sign in as that run's user.
 */
const logins = { mallory: `mallory-${tag}`, ben: `ben-${tag}` };
const GROUP = `/fleet-ops-${tag}`;
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string; groups: string[] }> = {
  [logins.mallory]: { email: emails.vic, email_verified: false, name: 'Mallory', groups: [GROUP] },
  [logins.ben]: { email: emails.ben, email_verified: true, name: 'Ben', groups: [GROUP, '/other'] },
};

let server: Server;

test.beforeAll(async ({ baseURL }) => {
  const provider = new Provider(OIDC_E2E.issuer, {
    clients: [
      {
        client_id: OIDC_E2E.clientId,
        client_secret: OIDC_E2E.clientSecret,
        redirect_uris: [`${baseURL}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Scope claims in the ID token, which is what DriveLab reads (as Keycloak's mappers do).
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const a = ACCOUNTS[id];
      return a ? { accountId: id, claims: () => ({ sub: id, ...a }) } : undefined;
    },
  });
  server = provider.listen(OIDC_E2E.port);
  await new Promise<void>((resolve) => server.once('listening', resolve));
});

test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function signUp(browser: Browser, name: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await open(page, '/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Sign-up hashes the password (scrypt) and signs in: slow on a loaded machine.
  await expect(page).toHaveURL(/\/orgs$/, { timeout: 45_000 });
  await expect(page.getByText('You are not in any organization yet')).toBeVisible();
  await ready(page);
  return page;
}

/** A password account through the sign-up procedure the form calls, without a browser page. */
async function apiSignUp(request: APIRequestContext, name: string, email: string): Promise<void> {
  const res = await request.post('/api/trpc/auth.signUp', {
    data: { json: { name, email, password: PASSWORD } },
    timeout: 45_000,
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Signs in through the provider's login and consent pages in a fresh browser context. */
async function ssoSignIn(browser: Browser, login: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await open(page, '/signin');
  await page.getByRole('button', { name: `Continue with ${OIDC_E2E.name}` }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The consent page, when the provider asks (first grant of these scopes to the client).
  const back = (u: URL) => u.port !== String(OIDC_E2E.port);
  const consent = page.getByRole('button', { name: 'Continue', exact: true });
  await Promise.race([consent.waitFor(), page.waitForURL(back)]);
  if (!back(new URL(page.url()))) await consent.click();
  await page.waitForURL(back);
  await ready(page);
  return page;
}

test('single sign-on: an unverified email takes over nothing; a verified one links and gets the mapped role', async ({
  browser,
  request,
}) => {
  // Three sign-ins through two servers and a scrypt sign-up or three: minutes on a loaded machine.
  test.setTimeout(480_000);
  // Olive owns an org and maps the provider's fleet-ops group to Engineer.
  const olive = await signUp(browser, 'Olive', emails.olive);
  await olive.getByLabel('Organization name').fill(`SSO ${tag}`);
  await olive.getByRole('button', { name: 'Create organization' }).click();
  await expect(olive.getByTestId('org-name')).toHaveText(`SSO ${tag}`);
  const slug = new URL(olive.url()).pathname.slice(1);
  await open(olive, `/${slug}/settings?tab=sso`);
  await olive.getByLabel('Group').fill(GROUP);
  await olive.getByLabel('Role').selectOption('engineer');
  await olive.getByRole('button', { name: 'Map group' }).click();
  await expect(olive.getByTestId('sso-table')).toContainText(GROUP.slice(1));
  await expect(olive.getByTestId('sso-table')).toContainText('Engineer');
  await olive.screenshot({ path: '.state/test-results/sso-settings.png', fullPage: true });

  // Vic and Ben have password accounts (made through the sign-up API, as the form above does);
  // neither is in Olive's org.
  await apiSignUp(request, 'Vic', emails.vic);
  await apiSignUp(request, 'Ben', emails.ben);

  // Mallory's provider account claims Vic's address without verifying it: refused, not signed in.
  const mallory = await ssoSignIn(browser, logins.mallory);
  await expect(mallory).toHaveURL(/\/signin\?error=Oidc%3Aemail_not_verified|\/signin\?error=Oidc:email_not_verified/);
  await expect(mallory.getByRole('alert').filter({ hasText: 'has not verified your email address' })).toBeVisible();
  await mallory.screenshot({ path: '.state/test-results/sso-refused.png', fullPage: true });
  await open(mallory, '/orgs');
  await expect(mallory).toHaveURL(/\/signin/);
  await expect(mallory.getByTestId('signed-in-as')).toHaveCount(0);
  // Nor did the attempt give Vic's account to the provider, or Vic a place in Olive's org.
  await open(olive, `/${slug}/settings?tab=members`);
  await expect(olive.getByTestId('members-table')).not.toContainText(emails.vic);

  // Ben's provider account has his verified address and the fleet-ops group: linked to his
  // password account, signed in as him, and an engineer in Olive's org.
  const ben = await ssoSignIn(browser, logins.ben);
  await open(ben, '/orgs');
  await expect(ben.getByTestId('signed-in-as')).toHaveText(emails.ben);
  // The org's tile in the list, with the mapped role. (Its name is also an <option> of the
  // header's org switcher, which a closed <select> never shows: match the tile, not any text.)
  const tile = ben.getByTestId('org-tile').filter({ hasText: `SSO ${tag}` });
  await expect(tile).toBeVisible();
  await expect(tile).toContainText('Engineer');
  // Only the mapped group counts: his other group (/other) maps to nothing anywhere.
  await expect(ben.getByTestId('org-tile')).toHaveCount(1);
  await ben.screenshot({ path: '.state/test-results/sso-orgs.png', fullPage: true });
  await olive.reload();
  await ready(olive);
  const row = olive.getByTestId('members-table').locator('tr', { hasText: emails.ben });
  await expect(row).toContainText('Engineer');
  await olive.screenshot({ path: '.state/test-results/sso-members.png', fullPage: true });
});
