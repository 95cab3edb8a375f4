import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeOidcSignIn } from '~/server/auth/oidc';
import { db } from '~/server/db';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

// OIDC sign-in against the real database: linking only by verified email, and the org admins'
// group mappings applied to memberships (issue 19).

const signIn = (claims: Record<string, unknown>) =>
  completeOidcSignIn(db, {
    claims,
    providerAccountId: String(claims.sub),
    accountType: 'oauth',
    groupsClaim: 'groups',
    ip: '10.1.2.3',
  });

describe('OIDC sign-in', () => {
  let A: OrgFixture;
  const tag = randomBytes(3).toString('hex');
  beforeAll(async () => {
    A = await makeOrg('sso');
    await callerFor(userCaller(A.users.admin)).sso.set({ org: A.org.slug, group: '/fleet-ops', role: 'engineer' });
  });

  it('an unverified email that matches an account is refused and links nothing', async () => {
    const victim = A.users.viewer;
    const r = await signIn({ sub: `mallory-${tag}`, email: victim.email.toUpperCase(), email_verified: false });
    expect(r).toEqual({ ok: false, reason: 'email_not_verified' });
    expect(await db.account.count({ where: { userId: victim.id } })).toBe(0);
    expect(
      await db.auditLog.count({ where: { action: 'signin.failed', actorLabel: victim.email, ip: '10.1.2.3' } }),
    ).toBeGreaterThan(0);
    // An unverified, unknown address creates no account either.
    const email = `new-${tag}@example.test`;
    expect((await signIn({ sub: `x-${tag}`, email, email_verified: 'false' })).ok).toBe(false);
    expect(await db.user.findUnique({ where: { email } })).toBeNull();
  });

  it('a verified email links to the existing account and the mapped group gives the role', async () => {
    const user = await db.user.create({ data: { email: `ben-${tag}@example.test` } });
    const sub = `ben-${tag}`;
    const r = await signIn({ sub, email: user.email, email_verified: true, groups: ['/fleet-ops'] });
    expect(r).toEqual({ ok: true, userId: user.id });
    expect(
      await db.account.findMany({ where: { userId: user.id }, select: { provider: true, providerAccountId: true } }),
    ).toEqual([{ provider: 'oidc', providerAccountId: sub }]);
    expect(
      await db.membership.findUnique({ where: { orgId_userId: { orgId: A.org.id, userId: user.id } } }),
    ).toMatchObject({ role: 'engineer', viaSso: true });

    // The admin raises the group to admin: the next sign-in follows; losing the group removes it.
    await callerFor(userCaller(A.users.admin)).sso.set({ org: A.org.slug, group: 'fleet-ops', role: 'admin' });
    await signIn({ sub, email: user.email, email_verified: true, groups: ['fleet-ops'] });
    expect((await db.membership.findFirst({ where: { orgId: A.org.id, userId: user.id } }))?.role).toBe('admin');
    // Linked by subject now: the provider's later word on the email no longer matters.
    expect(await signIn({ sub, email: user.email, email_verified: false, groups: [] })).toEqual({
      ok: true,
      userId: user.id,
    });
    expect(await db.membership.findFirst({ where: { orgId: A.org.id, userId: user.id } })).toBeNull();
  });

  it('hand-made memberships are never lowered or removed by a mapping', async () => {
    const eng = A.users.engineer;
    await signIn({ sub: `eng-${tag}`, email: eng.email, email_verified: true, groups: [] });
    expect((await db.membership.findFirst({ where: { orgId: A.org.id, userId: eng.id } }))?.role).toBe('engineer');
  });

  it('admins manage mappings; engineers cannot; another org sees none of them', async () => {
    const B = await makeOrg('sso-b');
    const list = await callerFor(userCaller(A.users.admin)).sso.list({ org: A.org.slug });
    expect(list.mappings.map((m) => [m.group, m.role])).toEqual([['fleet-ops', 'admin']]);
    await expect(callerFor(userCaller(A.users.engineer)).sso.list({ org: A.org.slug })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      callerFor(userCaller(A.users.admin)).sso.set({ org: A.org.slug, group: 'x', role: 'owner' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      callerFor(userCaller(B.users.admin)).sso.remove({ org: B.org.slug, id: list.mappings[0]!.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await callerFor(userCaller(B.users.admin)).sso.list({ org: B.org.slug })).mappings).toEqual([]);
  });
});
