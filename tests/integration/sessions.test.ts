import { encode } from 'next-auth/jwt';
import { describe, expect, it } from 'vitest';
import { resolveCaller } from '~/server/auth/caller';
import { authSecret } from '~/server/auth/secret';
import { sessionUserId } from '~/server/auth/session';
import { db } from '~/server/db';
import { redis } from '~/server/store/redis';

const cookie = (token: string) => `other=1; next-auth.session-token=${encodeURIComponent(token)}`;

describe('session cookies', () => {
  it('a valid session resolves to its user; an expired, forged or foreign-secret one does not', async () => {
    const user = await db.user.create({ data: { email: `sess-${Date.now()}@example.test` } });
    const valid = await encode({ token: { sub: user.id, email: user.email }, secret: authSecret(), maxAge: 3600 });
    expect(await sessionUserId(cookie(valid))).toEqual({ userId: user.id, email: user.email });
    expect(await resolveCaller(new Headers({ cookie: cookie(valid) }), { db, redis })).toMatchObject({
      kind: 'user',
      userId: user.id,
    });

    // Expired a minute ago (beyond the 15 s clock tolerance of the decoder).
    const expired = await encode({ token: { sub: user.id }, secret: authSecret(), maxAge: -60 });
    expect(await sessionUserId(cookie(expired))).toBeNull();
    expect(await resolveCaller(new Headers({ cookie: cookie(expired) }), { db, redis })).toEqual({ kind: 'anonymous' });

    const foreign = await encode({
      token: { sub: user.id },
      secret: 'another-deployment-secret-of-32-chars!!',
      maxAge: 3600,
    });
    expect(await sessionUserId(cookie(foreign))).toBeNull();
    expect(await sessionUserId(cookie(valid.slice(0, -4) + 'AAAA'))).toBeNull();

    // A session of a deleted user is no session.
    await db.user.delete({ where: { id: user.id } });
    expect(await resolveCaller(new Headers({ cookie: cookie(valid) }), { db, redis })).toEqual({ kind: 'anonymous' });
  });
});

describe('sign-in providers without OIDC settings', () => {
  it('offers only email and password', async () => {
    const { authOptions, oidcConfigured } = await import('~/server/auth/options');
    expect(oidcConfigured()).toBe(false);
    expect(authOptions().providers.map((p) => p.id)).toEqual(['credentials']);
  });
});
