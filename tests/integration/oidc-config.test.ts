import { describe, expect, it } from 'vitest';

// This file's module graph sees an OIDC provider configured purely by environment variables.
process.env.OIDC_ISSUER = 'https://sso.example.test/realms/fleet';
process.env.OIDC_CLIENT_ID = 'drivelab';
process.env.OIDC_CLIENT_SECRET = 'client-secret';
process.env.OIDC_NAME = 'Fleet SSO';

const { authOptions, oidcConfigured } = await import('~/server/auth/options');
const { createCaller } = await import('~/server/trpc/root');
const { db } = await import('~/server/db');

describe('optional OIDC provider', () => {
  it('appears, with its discovery URL and label, only when issuer, client id and secret are set', async () => {
    expect(oidcConfigured()).toBe(true);
    const providers = authOptions().providers as { id: string; name: string; wellKnown?: string }[];
    expect(providers.map((p) => p.id)).toEqual(['credentials', 'oidc']);
    const oidc = providers.find((p) => p.id === 'oidc')!;
    expect(oidc.name).toBe('Fleet SSO');
    expect(oidc.wellKnown).toBe('https://sso.example.test/realms/fleet/.well-known/openid-configuration');
    const anon = createCaller({
      db,
      headers: new Headers(),
      ip: null,
      caller: { kind: 'anonymous' },
      callerError: null,
    });
    expect(await anon.auth.providers()).toEqual({ credentials: true, oidc: { id: 'oidc', name: 'Fleet SSO' } });

    delete process.env.OIDC_CLIENT_SECRET;
    const { parseEnv } = await import('~/server/env');
    const partial = parseEnv(process.env);
    expect(Boolean(partial.OIDC_ISSUER && partial.OIDC_CLIENT_ID && partial.OIDC_CLIENT_SECRET)).toBe(false);
  });
});
