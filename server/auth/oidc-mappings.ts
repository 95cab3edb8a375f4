import { ROLES, hasRole, type Role } from './roles';

/**
 * Per-organisation mapping of the provider's groups onto DriveLab roles (the Keycloak pattern: an
 * org admin says "members of /fleet/ops are engineers here"). Pure: what the memberships should
 * become after a sign-in, given the user's groups, the mappings and the current memberships.
 *
 * - In an org with a matching group the user gets the highest matching role. A membership made
 *   by SSO (`viaSso`) takes exactly that role; one made by hand is only ever raised, never lowered.
 * - A membership made by SSO whose groups no longer match is removed; hand-made ones are kept.
 * - Owners are never changed: ownership is not delegated to a provider.
 */

/** Roles a mapping may grant: owner is not among them. */
export const MAPPABLE_ROLES = ROLES.filter((r): r is Exclude<Role, 'owner'> => r !== 'owner');

export interface RoleMap {
  orgId: string;
  group: string;
  role: Role;
}
export interface CurrentMembership {
  orgId: string;
  role: Role;
  viaSso: boolean;
}
export type MembershipChange =
  | { kind: 'create'; orgId: string; role: Role }
  | { kind: 'update'; orgId: string; role: Role }
  | { kind: 'remove'; orgId: string };

/** Group names compare exactly, except that Keycloak's "/name" and "name" are the same group. */
export const normaliseGroup = (g: string) => g.trim().replace(/^\/(?=[^/]+$)/, '');

export function membershipChanges(
  groups: readonly string[],
  maps: readonly RoleMap[],
  current: readonly CurrentMembership[],
): MembershipChange[] {
  const mine = new Set(groups.map(normaliseGroup));
  const wanted = new Map<string, Role>();
  for (const m of maps) {
    if (!mine.has(normaliseGroup(m.group)) || m.role === 'owner') continue;
    const had = wanted.get(m.orgId);
    if (!had || hasRole(m.role, had)) wanted.set(m.orgId, m.role);
  }
  const mappedOrgs = new Set(maps.map((m) => m.orgId));
  const changes: MembershipChange[] = [];
  const byOrg = new Map(current.map((c) => [c.orgId, c]));
  for (const [orgId, role] of wanted) {
    const c = byOrg.get(orgId);
    if (!c) changes.push({ kind: 'create', orgId, role });
    else if (c.role === 'owner' || c.role === role) continue;
    else if (c.viaSso || hasRole(role, c.role)) changes.push({ kind: 'update', orgId, role });
  }
  for (const c of current)
    if (c.viaSso && c.role !== 'owner' && mappedOrgs.has(c.orgId) && !wanted.has(c.orgId))
      changes.push({ kind: 'remove', orgId: c.orgId });
  return changes;
}
