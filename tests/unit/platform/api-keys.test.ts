import type { ApiKey, PrismaClient } from '@prisma/client';
import { describe, expect, it } from 'vitest';
import { presentedApiKey, verifyApiKey } from '~/server/auth/api-keys';
import { generateApiKey } from '~/server/auth/tokens';
import { ApiKeyAuth } from '~/workers/inference/auth';

function keyRow(generated: { prefix: string; hash: string }, extra: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'key-1',
    orgId: 'org-1',
    createdById: null,
    name: 'ci',
    prefix: generated.prefix,
    hash: generated.hash,
    role: 'engineer',
    lastUsedAt: null,
    revokedAt: null,
    expiresAt: null,
    createdAt: new Date(0),
    ...extra,
  };
}

/** A database holding these rows, looked up by prefix as verifyApiKey does. */
function dbOf(...rows: ApiKey[]): Pick<PrismaClient, 'apiKey'> {
  const findUnique = async (args: { where: { prefix: string } }) =>
    rows.find((r) => r.prefix === args.where.prefix) ?? null;
  return { apiKey: { findUnique } } as unknown as Pick<PrismaClient, 'apiKey'>;
}

describe('API key verification (shared by the portal and the inference worker)', () => {
  const good = generateApiKey();
  const revoked = generateApiKey();
  const expired = generateApiKey();
  const db = dbOf(
    keyRow(good),
    keyRow(revoked, { id: 'key-2', revokedAt: new Date() }),
    keyRow(expired, { id: 'key-3', expiresAt: new Date(Date.now() - 1000) }),
  );

  it('accepts a stored key that is neither revoked nor expired', async () => {
    expect(await verifyApiKey(db, good.key)).toMatchObject({
      ok: true,
      row: { id: 'key-1', orgId: 'org-1', role: 'engineer' },
    });
  });

  it('refuses malformed, unknown, tampered, revoked and expired keys with their messages', async () => {
    const tampered = good.key.slice(0, -1) + (good.key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(db, 'not-a-key')).toEqual({ ok: false, error: 'Malformed API key' });
    expect(await verifyApiKey(db, generateApiKey().key)).toEqual({ ok: false, error: 'Unknown API key' });
    expect(await verifyApiKey(db, tampered)).toEqual({ ok: false, error: 'Unknown API key' });
    expect(await verifyApiKey(db, revoked.key)).toEqual({ ok: false, error: 'This API key has been revoked' });
    expect(await verifyApiKey(db, expired.key)).toEqual({ ok: false, error: 'This API key has expired' });
  });

  it('gives the inference worker 401 results with the same messages', async () => {
    const auth = new ApiKeyAuth(db, null, { cacheMs: 0, limit: { limit: 10, windowS: 60 } });
    try {
      expect(await auth.authenticate(good.key)).toEqual({
        ok: true,
        orgId: 'org-1',
        role: 'engineer',
        apiKeyId: 'key-1',
      });
      expect(await auth.authenticate(revoked.key)).toEqual({
        ok: false,
        status: 401,
        error: 'This API key has been revoked',
      });
      expect(await auth.authenticate(expired.key)).toEqual({
        ok: false,
        status: 401,
        error: 'This API key has expired',
      });
      expect(await auth.authenticate('garbage')).toEqual({ ok: false, status: 401, error: 'Malformed API key' });
    } finally {
      auth.close();
    }
  });

  it('reads the key from Authorization: Bearer first, then X-API-Key', () => {
    expect(presentedApiKey('Bearer  dlk_a ', 'dlk_b')).toBe('dlk_a');
    expect(presentedApiKey('bearer dlk_a', null)).toBe('dlk_a');
    expect(presentedApiKey('Basic xyz', ' dlk_b ')).toBe('dlk_b');
    expect(presentedApiKey(undefined, '  ')).toBeNull();
    expect(presentedApiKey(null, undefined)).toBeNull();
    expect(ApiKeyAuth.bearer(['Bearer dlk_a'], undefined)).toBe('dlk_a');
    expect(ApiKeyAuth.bearer(undefined, ['dlk_b', 'dlk_c'])).toBe('dlk_b');
  });
});
