import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// Small limits for this file only: each test file gets a fresh module graph, so env.ts reads these.
process.env.SIGNIN_RATE_LIMIT = '3/60';
process.env.API_KEY_RATE_LIMIT = '3/60';

const { db } = await import('~/server/db');
const { authorizeCredentials } = await import('~/server/auth/options');
const { authenticateRest } = await import('~/server/http/rest');
const { hashPassword } = await import('~/server/auth/password');
const trpcRoute = await import('~/app/api/trpc/[trpc]/route');
const { callerFor, makeOrg } = await import('../helpers/tenancy');

describe('sign-in throttling', () => {
  const email = `throttle-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'right-password-123';
  let orgId: string;
  beforeAll(async () => {
    const a = await makeOrg('thr');
    orgId = a.org.id;
    const user = await db.user.create({ data: { email, passwordHash: await hashPassword(password) } });
    await db.membership.create({ data: { orgId, userId: user.id, role: 'engineer' } });
  });

  it('counts failures per email, then refuses even the right password until the window passes', async () => {
    expect(await authorizeCredentials({ email, password }, '10.0.0.1')).toMatchObject({ email });
    for (let i = 0; i < 3; i++)
      expect(await authorizeCredentials({ email, password: `wrong-${i}` }, '10.0.0.1')).toBeNull();
    await expect(authorizeCredentials({ email, password }, '10.0.0.1')).rejects.toThrow(/^TooManyAttempts:\d+$/);
    const entries = await db.auditLog.findMany({
      where: { orgId, action: { in: ['signin.failed', 'signin.throttled'] } },
    });
    expect(entries.filter((e) => e.action === 'signin.failed')).toHaveLength(3);
    expect(entries.filter((e) => e.action === 'signin.throttled')).toHaveLength(1);
    expect(entries[0]!.ip).toBe('10.0.0.1');
  });
});

describe('API key rate limit', () => {
  let key: string;
  beforeAll(async () => {
    const a = await makeOrg('rl');
    key = (
      await callerFor({
        kind: 'user',
        userId: a.users.owner.id,
        email: a.users.owner.email,
        name: null,
      }).apiKeys.create({ org: a.org.slug, name: 'rl', role: 'viewer' })
    ).key;
  });

  it('answers 429 with Retry-After on REST and on tRPC once the key is over its limit', async () => {
    const headers = { authorization: `Bearer ${key}` };
    for (let i = 0; i < 3; i++)
      expect(await authenticateRest(new Request('http://x/api/v1/me', { headers }), 'viewer')).not.toBeInstanceOf(
        Response,
      );
    const rest = (await authenticateRest(new Request('http://x/api/v1/me', { headers }), 'viewer')) as Response;
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);

    const trpc = await trpcRoute.GET(
      new Request('http://x/api/trpc/orgs.get?input=' + encodeURIComponent(JSON.stringify({ json: {} })), { headers }),
    );
    expect(trpc.status).toBe(429);
    expect(Number(trpc.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('passwords are never stored or logged in clear', () => {
  it('sign-up and sign-ins leave no clear password in the database, the audit log or the logs', async () => {
    const email = `clear-${randomBytes(4).toString('hex')}@example.test`;
    const secret = `Sup3r-secret-${randomBytes(4).toString('hex')}`;
    // A separate process at debug level, so everything it logs is captured from its stdout.
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['tests/fixtures/password-flow.ts', email, secret], {
      env: { ...process.env, LOG_LEVEL: 'debug' },
    });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(user)).not.toContain(secret);
    const audits = await db.auditLog.findMany({ where: { actorLabel: email } });
    expect(audits.map((a) => a.action)).toContain('signin.failed');
    expect(JSON.stringify(audits)).not.toContain(secret);
    expect(stdout).toContain(email);
    expect(stdout + stderr).not.toContain(secret);
  });
});
