import { describe, expect, it } from 'vitest';
import { readOidcIdentity } from '~/server/auth/oidc-identity';
import { membershipChanges, normaliseGroup } from '~/server/auth/oidc-mappings';
import { decideOidcSignIn } from '~/server/auth/oidc-signin';

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'kc-123',
  email: 'Ann@Example.test',
  email_verified: true,
  name: 'Ann',
  groups: ['/fleet-ops', 'viewers'],
  ...extra,
});

describe('OIDC identity from claims', () => {
  it('reads subject, lower-cased email, verification, name and groups from the configured claim', () => {
    expect(readOidcIdentity(claims(), 'groups')).toEqual({
      subject: 'kc-123',
      email: 'ann@example.test',
      emailVerified: true,
      name: 'Ann',
      groups: ['/fleet-ops', 'viewers'],
    });
    expect(readOidcIdentity(claims({ roles: 'admin' }), 'roles')?.groups).toEqual(['admin']);
    expect(readOidcIdentity(claims(), 'roles')?.groups).toEqual([]);
  });

  it('counts an email as verified only when the provider says true', () => {
    for (const v of [undefined, false, 'false', 1, 'yes', null, {}])
      expect(readOidcIdentity(claims({ email_verified: v }), 'groups')?.emailVerified, JSON.stringify(v)).toBe(false);
    expect(readOidcIdentity(claims({ email_verified: 'true' }), 'groups')?.emailVerified).toBe(true);
  });

  it('refuses claims without a usable subject, and drops hostile groups and emails', () => {
    expect(readOidcIdentity({ email: 'a@b.test' }, 'groups')).toBeNull();
    expect(readOidcIdentity(claims({ sub: 'a\u0000b' }), 'groups')).toBeNull();
    expect(readOidcIdentity('nope', 'groups')).toBeNull();
    const id = readOidcIdentity(
      claims({ groups: ['ok', 'a\u0000', 7, '', 'x'.repeat(300)], email: 'not-an-email' }),
      'groups',
    );
    expect(id?.groups).toEqual(['ok']);
    expect(id?.email).toBeNull();
    // The claim name is looked up as an own property only.
    expect(readOidcIdentity(claims(), '__proto__')?.groups).toEqual([]);
  });
});

describe('OIDC sign-in decision', () => {
  const id = (emailVerified: boolean, email: string | null = 'ann@example.test') => ({
    subject: 's',
    email,
    emailVerified,
    name: null,
    groups: [],
  });
  it('an identity already linked signs in as its user, verified or not', () => {
    expect(decideOidcSignIn(id(false), 'u1', 'u2')).toEqual({ kind: 'linked', userId: 'u1' });
  });
  it('links to the account with that email only when the email is verified', () => {
    expect(decideOidcSignIn(id(true), null, 'u2')).toEqual({ kind: 'link', userId: 'u2' });
    expect(decideOidcSignIn(id(false), null, 'u2')).toEqual({ kind: 'refuse', reason: 'email_not_verified' });
  });
  it('creates an account only for a verified email, and refuses a missing one', () => {
    expect(decideOidcSignIn(id(true), null, null)).toEqual({ kind: 'create', email: 'ann@example.test' });
    expect(decideOidcSignIn(id(false), null, null)).toEqual({ kind: 'refuse', reason: 'email_not_verified' });
    expect(decideOidcSignIn(id(true, null), null, null)).toEqual({ kind: 'refuse', reason: 'no_email' });
  });
});

describe('OIDC group mappings', () => {
  const maps = [
    { orgId: 'A', group: '/fleet-ops', role: 'engineer' as const },
    { orgId: 'A', group: 'fleet-admins', role: 'admin' as const },
    { orgId: 'B', group: 'viewers', role: 'viewer' as const },
    { orgId: 'C', group: 'owners', role: 'owner' as const },
  ];
  it('Keycloak paths: "/g" and "g" are one group, nested paths stay as they are', () => {
    expect(normaliseGroup('/fleet-ops')).toBe('fleet-ops');
    expect(normaliseGroup('/a/b')).toBe('/a/b');
  });
  it('creates memberships with the highest matching role per org, never owner', () => {
    expect(membershipChanges(['fleet-ops', '/fleet-admins', 'viewers', 'owners'], maps, [])).toEqual([
      { kind: 'create', orgId: 'A', role: 'admin' },
      { kind: 'create', orgId: 'B', role: 'viewer' },
    ]);
  });
  it('sets the role of SSO memberships, only raises hand-made ones, never touches owners', () => {
    expect(membershipChanges(['fleet-ops'], maps, [{ orgId: 'A', role: 'admin', viaSso: true }])).toEqual([
      { kind: 'update', orgId: 'A', role: 'engineer' },
    ]);
    expect(membershipChanges(['fleet-ops'], maps, [{ orgId: 'A', role: 'admin', viaSso: false }])).toEqual([]);
    expect(membershipChanges(['fleet-ops'], maps, [{ orgId: 'A', role: 'viewer', viaSso: false }])).toEqual([
      { kind: 'update', orgId: 'A', role: 'engineer' },
    ]);
    expect(membershipChanges(['fleet-admins'], maps, [{ orgId: 'A', role: 'owner', viaSso: true }])).toEqual([]);
  });
  it('removes an SSO membership whose groups are gone, keeps hand-made ones', () => {
    expect(membershipChanges([], maps, [{ orgId: 'B', role: 'viewer', viaSso: true }])).toEqual([
      { kind: 'remove', orgId: 'B' },
    ]);
    expect(membershipChanges([], maps, [{ orgId: 'B', role: 'viewer', viaSso: false }])).toEqual([]);
  });
});
