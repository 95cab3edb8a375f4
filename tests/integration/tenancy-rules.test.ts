import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidCredentialsError, resolveCaller } from '~/server/auth/caller';
import { db } from '~/server/db';
import { authenticateRest } from '~/server/http/rest';
import { redis } from '~/server/store/redis';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

const deps = { db, redis };
const bearer = (key: string) => new Headers({ authorization: `Bearer ${key}` });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe('API key lifecycle', () => {
  let a: OrgFixture;
  beforeAll(async () => {
    a = await makeOrg('keys');
  });

  it('is shown once, stored hashed, authenticates its org with its role, records use, and is refused once revoked', async () => {
    const admin = callerFor(userCaller(a.users.admin));
    const created = await admin.apiKeys.create({ org: a.org.slug, name: 'ci', role: 'engineer' });
    expect(created.key).toMatch(/^dlk_[A-Za-z0-9]{8}_/);

    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(created.key.slice(13));
    expect(row.hash).toHaveLength(64);

    const listed = await admin.apiKeys.list({ org: a.org.slug });
    const entry = listed.find((k) => k.id === created.id)!;
    expect(entry).toMatchObject({
      name: 'ci',
      role: 'engineer',
      prefix: created.prefix,
      createdBy: a.users.admin.email,
      lastUsedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const caller = await resolveCaller(bearer(created.key), deps);
    expect(caller).toMatchObject({ kind: 'apiKey', orgId: a.org.id, role: 'engineer' });
    const rest = await authenticateRest(new Request('http://x/api/v1/me', { headers: bearer(created.key) }), 'viewer');
    expect(rest).toMatchObject({ orgId: a.org.id, role: 'engineer' });
    const tooLow = await authenticateRest(new Request('http://x/api/v1/me', { headers: bearer(created.key) }), 'admin');
    expect((tooLow as Response).status).toBe(403);

    // lastUsedAt is written in the background.
    await expect
      .poll(async () => (await db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt)
      .not.toBeNull();

    await admin.apiKeys.revoke({ org: a.org.slug, id: created.id });
    await expect(resolveCaller(bearer(created.key), deps)).rejects.toThrow(InvalidCredentialsError);
    const refused = await authenticateRest(
      new Request('http://x/api/v1/me', { headers: bearer(created.key) }),
      'viewer',
    );
    expect((refused as Response).status).toBe(401);
    expect(await (refused as Response).json()).toEqual({
      error: 'This API key has been revoked',
      code: 'UNAUTHORIZED',
      issues: [],
    });
    expect(
      await db.auditLog.count({
        where: { orgId: a.org.id, action: { in: ['apikey.created', 'apikey.revoked'] }, targetId: created.id },
      }),
    ).toBe(2);
  });

  it('rejects malformed, unknown and tampered keys', async () => {
    await expect(resolveCaller(bearer('not-a-key'), deps)).rejects.toThrow('Malformed API key');
    const tampered = a.apiKey.key.slice(0, -1) + (a.apiKey.key.endsWith('A') ? 'B' : 'A');
    await expect(resolveCaller(bearer(tampered), deps)).rejects.toThrow('Unknown API key');
    expect((await resolveCaller(bearer(a.apiKey.key), deps)).kind).toBe('apiKey');
  });

  it('cannot be created with more power than its creator has', async () => {
    const admin = callerFor(userCaller(a.users.admin));
    expect(await codeOf(admin.apiKeys.create({ org: a.org.slug, name: 'x', role: 'owner' }))).toBe('FORBIDDEN');
  });
});

describe('invitations', () => {
  let a: OrgFixture;
  let joiner: { id: string; email: string };
  beforeAll(async () => {
    a = await makeOrg('inv');
    joiner = await db.user.create({
      data: { email: `joiner-${a.org.slug}@example.test` },
      select: { id: true, email: true },
    });
  });

  it('an expired invitation is refused with its expiry date; a fresh one works once', async () => {
    const admin = callerFor(userCaller(a.users.admin));
    const stale = await admin.invites.create({ org: a.org.slug, role: 'engineer', ttlHours: 1 });
    await db.invite.update({ where: { id: stale.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const me = callerFor(userCaller(joiner));
    await expect(me.invites.accept({ token: stale.token })).rejects.toThrow(/expired on/);
    expect((await callerFor({ kind: 'anonymous' }).invites.preview({ token: stale.token })).status).toBe('expired');
    expect(await db.membership.count({ where: { orgId: a.org.id, userId: joiner.id } })).toBe(0);

    const fresh = await admin.invites.create({ org: a.org.slug, role: 'engineer' });
    expect(await me.invites.accept({ token: fresh.token })).toEqual({ org: a.org.slug, alreadyMember: false });
    expect((await db.membership.findFirstOrThrow({ where: { orgId: a.org.id, userId: joiner.id } })).role).toBe(
      'engineer',
    );
    await expect(me.invites.accept({ token: fresh.token })).rejects.toThrow(/already been used/);
  });

  it('revoked and email-bound invitations are refused to others', async () => {
    const admin = callerFor(userCaller(a.users.admin));
    const other = await db.user.create({
      data: { email: `other-${a.org.slug}@example.test` },
      select: { id: true, email: true },
    });
    const revoked = await admin.invites.create({ org: a.org.slug, role: 'viewer' });
    await admin.invites.revoke({ org: a.org.slug, inviteId: revoked.id });
    await expect(callerFor(userCaller(other)).invites.accept({ token: revoked.token })).rejects.toThrow(/revoked/);
    const bound = await admin.invites.create({ org: a.org.slug, role: 'viewer', email: 'someone-else@example.test' });
    expect(await codeOf(callerFor(userCaller(other)).invites.accept({ token: bound.token }))).toBe('FORBIDDEN');
  });

  it('admins cannot invite owners', async () => {
    expect(await codeOf(callerFor(userCaller(a.users.admin)).invites.create({ org: a.org.slug, role: 'owner' }))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('at least one owner always remains', () => {
  it('the last owner cannot leave, be demoted or be removed; with a second owner they can', async () => {
    const a = await makeOrg('owner');
    const owner = callerFor(userCaller(a.users.owner));
    expect(await codeOf(owner.orgs.leave({ org: a.org.slug }))).toBe('PRECONDITION_FAILED');
    expect(
      await codeOf(
        owner.members.updateRole({ org: a.org.slug, membershipId: a.users.owner.membershipId, role: 'admin' }),
      ),
    ).toBe('PRECONDITION_FAILED');
    // An admin may not touch an owner at all.
    const admin = callerFor(userCaller(a.users.admin));
    expect(await codeOf(admin.members.remove({ org: a.org.slug, membershipId: a.users.owner.membershipId }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        admin.members.updateRole({ org: a.org.slug, membershipId: a.users.engineer.membershipId, role: 'owner' }),
      ),
    ).toBe('FORBIDDEN');

    await owner.members.updateRole({ org: a.org.slug, membershipId: a.users.admin.membershipId, role: 'owner' });
    expect(await codeOf(owner.orgs.leave({ org: a.org.slug }))).toBe('OK');
    expect(await db.membership.count({ where: { orgId: a.org.id, role: 'owner' } })).toBe(1);
    const actions = (await db.auditLog.findMany({ where: { orgId: a.org.id }, select: { action: true } })).map(
      (r) => r.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['member.role_changed', 'member.left']));
  });
});
