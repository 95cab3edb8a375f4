import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, hasRole, type Role } from '~/server/auth/roles';
import { db } from '~/server/db';
import { orgInput, type ProcedureMeta } from '~/server/trpc/init';
import { appRouter } from '~/server/trpc/root';
import { callerFor, makeOrg, snapshotOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

type AnyProcedure = { _def: { type: string; meta?: ProcedureMeta; inputs: unknown[] } };
const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures,
);

/** Procedures that are not org-scoped, on purpose. A new one must be listed here or go through orgProcedure. */
const PUBLIC = new Set(['system.health', 'auth.providers', 'auth.signUp', 'invites.preview']);
const SIGNED_IN_USER = new Set(['auth.me', 'auth.setTimeFormat', 'orgs.create', 'invites.accept']);

const isOrgScoped = (p: AnyProcedure) => p._def.inputs.includes(orgInput);

async function call(
  caller: ReturnType<typeof callerFor>,
  path: string,
  input: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; code: string; message: string }> {
  const fn = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (
    i: unknown,
  ) => Promise<unknown>;
  try {
    return { ok: true, value: await fn(input) };
  } catch (err) {
    if (err instanceof TRPCError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

describe('tenant isolation across every procedure of the app router', () => {
  let a: OrgFixture;
  let b: OrgFixture;
  let outsider: { id: string; email: string };
  beforeAll(async () => {
    [a, b] = [await makeOrg('iso-a'), await makeOrg('iso-b')];
    outsider = await db.user.create({
      data: { email: `outsider-${a.org.slug}@example.test` },
      select: { id: true, email: true },
    });
  });

  it('classifies every procedure: org-scoped, or explicitly public / signed-in-user', () => {
    expect(procedures.length).toBeGreaterThan(10);
    for (const [path, p] of procedures) {
      const classified = isOrgScoped(p) || PUBLIC.has(path) || SIGNED_IN_USER.has(path);
      expect(classified, `${path} is neither org-scoped nor listed as public/user`).toBe(true);
      if (isOrgScoped(p)) {
        expect(p._def.meta?.minRole, `${path} declares no minRole`).toBeDefined();
        expect(p._def.meta?.sample, `${path} declares no sample input`).toBeDefined();
      }
    }
  });

  const orgScoped = procedures.filter(([, p]) => isOrgScoped(p));

  it.each(orgScoped.map(([path, p]) => [path, p] as const))(
    '%s: a member of A cannot reach B by slug (NOT_FOUND)',
    async (path, p) => {
      const before = await snapshotOrg(b.org.id);
      for (const role of ROLES) {
        const r = await call(callerFor(userCaller(a.users[role])), path, {
          org: b.org.slug,
          ...p._def.meta!.sample!(b.ids),
        });
        expect(r, `${path} as ${role} of A`).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      }
      // An API key of A cannot name B either, whatever its role.
      const viaKey = await call(
        callerFor({ kind: 'apiKey', apiKeyId: a.apiKey.id, orgId: a.org.id, role: 'owner', label: 'k' }),
        path,
        { org: b.org.slug, ...p._def.meta!.sample!(b.ids) },
      );
      expect(viaKey).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      // Someone in no org at all gets the same answer, for B and for a slug that does not exist.
      for (const slug of [b.org.slug, 'no-such-org-anywhere']) {
        expect(
          await call(callerFor(userCaller(outsider)), path, { org: slug, ...p._def.meta!.sample!(b.ids) }),
        ).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      }
      expect(
        await call(callerFor({ kind: 'anonymous' }), path, { org: b.org.slug, ...p._def.meta!.sample!(b.ids) }),
      ).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
      expect(await snapshotOrg(b.org.id)).toBe(before);
    },
  );

  it.each(orgScoped.map(([path, p]) => [path, p] as const))(
    "%s: A's owner aiming at B's objects through A neither sees nor changes them",
    async (path, p) => {
      const before = await snapshotOrg(b.org.id);
      const r = await call(callerFor(userCaller(a.users.owner)), path, {
        org: a.org.slug,
        ...p._def.meta!.sample!(b.ids),
      });
      if (r.ok) {
        const json = JSON.stringify(r.value);
        for (const secret of [
          b.org.id,
          b.org.slug,
          ...Object.values(b.ids),
          ...Object.values(b.users).map((u) => u.email),
        ]) {
          expect(json.includes(secret), `${path} leaked ${secret}`).toBe(false);
        }
      } else {
        expect(['NOT_FOUND', 'PRECONDITION_FAILED', 'BAD_REQUEST', 'FORBIDDEN']).toContain(r.code);
      }
      expect(await snapshotOrg(b.org.id)).toBe(before);
    },
  );

  it.each(orgScoped.map(([path, p]) => [path, p] as const))(
    '%s: every role below the least one is refused (FORBIDDEN)',
    async (path, p) => {
      const minRole = p._def.meta!.minRole!;
      const below = ROLES.filter((r: Role) => !hasRole(r, minRole));
      for (const role of below) {
        const before = await snapshotOrg(a.org.id);
        const r = await call(callerFor(userCaller(a.users[role])), path, {
          org: a.org.slug,
          ...p._def.meta!.sample!(a.ids),
        });
        expect(r, `${path} as ${role}`).toMatchObject({ ok: false, code: 'FORBIDDEN' });
        expect(await snapshotOrg(a.org.id)).toBe(before);
        const viaKey = await call(
          callerFor({ kind: 'apiKey', apiKeyId: a.apiKey.id, orgId: a.org.id, role, label: 'k' }),
          path,
          { ...p._def.meta!.sample!(a.ids) },
        );
        expect(viaKey, `${path} via ${role} key`).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      }
    },
  );
});
