import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '~/server/db';
import { createRedis } from '~/server/store/redis';

describe('Postgres through Prisma (driver adapter, no engine binary)', () => {
  const db = createDb();
  afterAll(async () => {
    await db.$disconnect();
  });

  it('writes, reads back with relations, and deletes with cascades', async () => {
    const slug = `it-${randomBytes(4).toString('hex')}`;
    const org = await db.organization.create({
      data: {
        name: 'Integration Org',
        slug,
        memberships: {
          create: { role: 'engineer', user: { create: { email: `${slug}@example.test`, name: 'Tess' } } },
        },
      },
    });
    const back = await db.organization.findUnique({
      where: { slug },
      include: { memberships: { include: { user: true } } },
    });
    expect(back?.id).toBe(org.id);
    expect(back?.memberships[0]?.role).toBe('engineer');
    expect(back?.memberships[0]?.user.email).toBe(`${slug}@example.test`);

    await db.organization.delete({ where: { id: org.id } });
    expect(await db.membership.count({ where: { orgId: org.id } })).toBe(0);
    await db.user.delete({ where: { email: `${slug}@example.test` } });
  });

  it('enforces unique organization slugs', async () => {
    const slug = `dup-${randomBytes(4).toString('hex')}`;
    await db.organization.create({ data: { name: 'A', slug } });
    await expect(db.organization.create({ data: { name: 'B', slug } })).rejects.toThrow(/Unique constraint/);
    await db.organization.delete({ where: { slug } });
  });
});

describe('Redis', () => {
  const redis = createRedis();
  afterAll(async () => {
    await redis.quit();
  });

  it('round-trips a value with a TTL', async () => {
    const key = `test:${randomBytes(4).toString('hex')}`;
    await redis.set(key, JSON.stringify({ speedMean: 12.5 }), 'EX', 30);
    expect(JSON.parse((await redis.get(key))!)).toEqual({ speedMean: 12.5 });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    await redis.del(key);
    expect(await redis.get(key)).toBeNull();
  });
});
