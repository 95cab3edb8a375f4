import { z } from 'zod';

export const ROLES = ['viewer', 'engineer', 'admin', 'owner'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const RANK: Record<Role, number> = { viewer: 0, engineer: 1, admin: 2, owner: 3 };

/** Viewers read; engineers create and run; admins manage members, keys and deployments; owners everything. */
export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

/** Nobody hands out more power than they hold, and only owners make owners. */
export function canGrant(actor: Role, target: Role): boolean {
  return hasRole(actor, 'admin') && RANK[target] <= RANK[actor];
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  engineer: 'Engineer',
  admin: 'Admin',
  owner: 'Owner',
};
