import { z } from 'zod';
import { auditAs } from '../../audit';
import { MAPPABLE_ROLES, normaliseGroup } from '../../auth/oidc-mappings';
import { oidcConfigured } from '../../auth/options';
import { canGrant } from '../../auth/roles';
import { singleLine } from '../../contracts/strings';
import { env } from '../../env';
import { AppError } from '../../errors';
import { createTRPCRouter, orgProcedure } from '../init';

/** A group name as the provider sends it ("/fleet/ops" or "ops"); Keycloak's leading "/" is optional. */
const groupSchema = singleLine(200)
  .transform((g) => normaliseGroup(g))
  .pipe(z.string().min(1, 'The group needs a name'));

/** Single sign-on: which of the provider's groups get which role in this organisation. */
export const ssoRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).query(async ({ ctx }) => ({
    configured: oidcConfigured(),
    provider: oidcConfigured() ? env.OIDC_NAME : null,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    mappings: await ctx.db.ssoRoleMap.findMany({
      where: { orgId: ctx.orgId },
      orderBy: { group: 'asc' },
      select: { id: true, group: true, role: true, createdAt: true },
    }),
  })),

  /** Adds a mapping, or changes the role of the group's mapping. */
  set: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({ group: 'fleet-ops', role: 'engineer' }) })
    .input(z.object({ group: groupSchema, role: z.enum(MAPPABLE_ROLES as [string, ...string[]]) }))
    .mutation(async ({ ctx, input }) => {
      const role = input.role as (typeof MAPPABLE_ROLES)[number];
      if (!canGrant(ctx.role, role)) throw new AppError('FORBIDDEN', `You cannot grant the ${role} role`);
      const m = await ctx.db.ssoRoleMap.upsert({
        where: { orgId_group: { orgId: ctx.orgId, group: input.group } },
        create: { orgId: ctx.orgId, group: input.group, role },
        update: { role },
        select: { id: true, group: true, role: true },
      });
      await auditAs(ctx.db, ctx, {
        action: 'sso.mapping_set',
        target: { type: 'sso_mapping', id: m.id },
        data: { group: m.group, role: m.role },
      });
      return m;
    }),

  remove: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ id: ids.membershipId }) })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const r = await ctx.db.ssoRoleMap.deleteMany({ where: { id: input.id, orgId: ctx.orgId } });
      if (r.count === 0) throw new AppError('NOT_FOUND', 'Mapping not found');
      await auditAs(ctx.db, ctx, {
        action: 'sso.mapping_removed',
        target: { type: 'sso_mapping', id: input.id },
      });
      return { ok: true };
    }),
});
