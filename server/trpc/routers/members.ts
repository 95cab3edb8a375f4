import type { Prisma } from '@prisma/client';
import { AppError } from '../../errors';
import { z } from 'zod';
import { auditAs } from '../../audit';
import { canGrant, hasRole, roleSchema } from '../../auth/roles';
import { createTRPCRouter, orgProcedure } from '../init';
import { assertNotLastOwner } from './orgs';

const membershipId = z.string().min(1).max(64);

/** A membership of this org with its user's email (for the audit entry); NOT_FOUND otherwise. */
async function findMember(tx: Prisma.TransactionClient, orgId: string, id: string) {
  const target = await tx.membership.findFirst({
    where: { id, orgId },
    include: { user: { select: { email: true } } },
  });
  if (!target) throw new AppError('NOT_FOUND', 'Member not found');
  return target;
}

export const membersRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.membership.findMany({
      where: { orgId: ctx.orgId },
      select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((m) => ({
      id: m.id,
      role: m.role,
      joinedAt: m.createdAt,
      userId: m.user.id,
      name: m.user.name,
      email: m.user.email,
    }));
  }),

  updateRole: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ membershipId: ids.membershipId, role: 'viewer' }) })
    .input(z.object({ membershipId, role: roleSchema }))
    .mutation(async ({ ctx, input }) => {
      return ctx.db.$transaction(async (tx) => {
        const target = await findMember(tx, ctx.orgId, input.membershipId);
        if (!hasRole(ctx.role, target.role) || !canGrant(ctx.role, input.role)) {
          throw new AppError('FORBIDDEN', `As ${ctx.role} you cannot change a ${target.role} to ${input.role}.`);
        }
        if (target.role === input.role) return { id: target.id, role: target.role };
        if (target.role === 'owner') await assertNotLastOwner(tx, ctx.orgId);
        const updated = await tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
        await auditAs(tx, ctx, {
          action: 'member.role_changed',
          target: { type: 'user', id: target.userId },
          data: { email: target.user.email, from: target.role, to: input.role },
        });
        return { id: updated.id, role: updated.role };
      });
    }),

  remove: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ membershipId: ids.membershipId }) })
    .input(z.object({ membershipId }))
    .mutation(async ({ ctx, input }) => {
      return ctx.db.$transaction(async (tx) => {
        const target = await findMember(tx, ctx.orgId, input.membershipId);
        if (!hasRole(ctx.role, target.role))
          throw new AppError('FORBIDDEN', `As ${ctx.role} you cannot remove a ${target.role}.`);
        if (target.role === 'owner') await assertNotLastOwner(tx, ctx.orgId);
        await tx.membership.delete({ where: { id: target.id } });
        await auditAs(tx, ctx, {
          action: 'member.removed',
          target: { type: 'user', id: target.userId },
          data: { email: target.user.email, role: target.role },
        });
        return { removed: target.id };
      });
    }),
});
