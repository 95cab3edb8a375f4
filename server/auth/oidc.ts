import type { PrismaClient } from '@prisma/client';
import { audit } from '../audit';
import { childLogger } from '../observability/logger';
import { readOidcIdentity } from './oidc-identity';
import { membershipChanges, normaliseGroup } from './oidc-mappings';
import { decideOidcSignIn } from './oidc-signin';

const log = childLogger('auth');

export type OidcSignInResult = { ok: true; userId: string } | { ok: false; reason: string };

/**
 * Applies an OIDC sign-in: links or creates the user as `decideOidcSignIn` says, then brings the
 * user's memberships in line with the org admins' group mappings. Refusals are audited.
 */
export async function completeOidcSignIn(
  db: PrismaClient,
  input: { claims: unknown; providerAccountId: string; accountType: string; groupsClaim: string; ip: string | null },
): Promise<OidcSignInResult> {
  const identity = readOidcIdentity(input.claims, input.groupsClaim);
  if (!identity || identity.subject !== input.providerAccountId) return { ok: false, reason: 'bad_claims' };
  const key = { provider: 'oidc', providerAccountId: identity.subject };
  const linked = await db.account.findUnique({ where: { provider_providerAccountId: key }, select: { userId: true } });
  const byEmail = identity.email
    ? await db.user.findUnique({ where: { email: identity.email }, select: { id: true } })
    : null;
  const decision = decideOidcSignIn(identity, linked?.userId ?? null, byEmail?.id ?? null);
  if (decision.kind === 'refuse') {
    log.warn({ reason: decision.reason, email: identity.email }, 'OIDC sign-in refused');
    await audit(db, {
      orgId: null,
      action: 'signin.failed',
      actor: { label: identity.email ?? `oidc:${identity.subject}`, ...(byEmail ? { userId: byEmail.id } : {}) },
      ip: input.ip,
      data: { provider: 'oidc', reason: decision.reason },
    });
    return { ok: false, reason: decision.reason };
  }
  const userId = await db.$transaction(async (tx) => {
    let id: string;
    if (decision.kind === 'create')
      id = (await tx.user.create({ data: { email: decision.email, name: identity.name, emailVerified: new Date() } }))
        .id;
    else id = decision.userId;
    if (decision.kind !== 'linked') await tx.account.create({ data: { userId: id, type: input.accountType, ...key } });

    const current = await tx.membership.findMany({
      where: { userId: id },
      select: { orgId: true, role: true, viaSso: true },
    });
    // The mappings that match a group of the user, and every mapping of the orgs where SSO gave
    // the user a membership (so a group the user lost removes or lowers it).
    const names = identity.groups.flatMap((g) => [normaliseGroup(g), `/${normaliseGroup(g)}`]);
    const maps = await tx.ssoRoleMap.findMany({
      where: { OR: [{ group: { in: names } }, { orgId: { in: current.filter((c) => c.viaSso).map((c) => c.orgId) } }] },
      select: { orgId: true, group: true, role: true },
    });
    for (const ch of membershipChanges(identity.groups, maps, current)) {
      if (ch.kind === 'create')
        await tx.membership.create({ data: { orgId: ch.orgId, userId: id, role: ch.role, viaSso: true } });
      else if (ch.kind === 'update')
        await tx.membership.update({
          where: { orgId_userId: { orgId: ch.orgId, userId: id } },
          data: { role: ch.role },
        });
      else await tx.membership.delete({ where: { orgId_userId: { orgId: ch.orgId, userId: id } } });
      await audit(tx, {
        orgId: ch.orgId,
        action: ch.kind === 'create' ? 'member.added' : ch.kind === 'update' ? 'member.role_changed' : 'member.removed',
        actor: { label: 'single sign-on' },
        target: { type: 'user', id },
        data: { via: 'oidc', ...(ch.kind === 'remove' ? {} : { role: ch.role }) },
        ip: input.ip,
      });
    }
    return id;
  });
  return { ok: true, userId };
}
