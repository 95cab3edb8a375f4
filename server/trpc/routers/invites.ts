import { AppError } from '../../errors';
import { z } from 'zod';
import { audit, auditAs } from '../../audit';
import { canGrant, roleSchema } from '../../auth/roles';
import { generateInviteToken, sha256 } from '../../auth/tokens';
import { env } from '../../env';
import { createTRPCRouter, orgProcedure, publicProcedure, userProcedure } from '../init';

const tokenInput = z.object({ token: z.string().min(16).max(128) });

type InviteStatus = 'valid' | 'expired' | 'revoked' | 'used';

export function inviteStatus(
  invite: { expiresAt: Date; revokedAt: Date | null; acceptedAt: Date | null },
  now = new Date(),
): InviteStatus {
  if (invite.revokedAt) return 'revoked';
  if (invite.acceptedAt) return 'used';
  if (invite.expiresAt <= now) return 'expired';
  return 'valid';
}

export const invitesRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.invite.findMany({
      where: { orgId: ctx.orgId, acceptedAt: null, revokedAt: null },
      select: {
        id: true,
        role: true,
        email: true,
        expiresAt: true,
        createdAt: true,
        createdBy: { select: { email: true } },
      },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((r) => ({ ...r, createdBy: r.createdBy?.email ?? null, expired: r.expiresAt <= new Date() }));
  }),

  create: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({ role: 'viewer' }) })
    .input(
      z.object({
        role: roleSchema,
        email: z.string().trim().toLowerCase().pipe(z.email()).optional(),
        ttlHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!canGrant(ctx.role, input.role))
        throw new AppError('FORBIDDEN', `As ${ctx.role} you cannot invite a ${input.role}.`);
      const { token, hash } = generateInviteToken();
      const expiresAt = new Date(Date.now() + (input.ttlHours ?? env.INVITE_TTL_HOURS) * 3600_000);
      const invite = await ctx.db.invite.create({
        data: {
          orgId: ctx.orgId,
          tokenHash: hash,
          role: input.role,
          email: input.email ?? null,
          expiresAt,
          createdById: ctx.actor.userId ?? null,
        },
      });
      await auditAs(ctx.db, ctx, {
        action: 'invite.created',
        target: { type: 'invite', id: invite.id },
        data: { role: input.role, email: input.email ?? null, expiresAt: expiresAt.toISOString() },
      });
      // The token leaves the server only here, inside the link; the database keeps its hash.
      return { id: invite.id, path: `/invite/${token}`, token, role: invite.role, expiresAt };
    }),

  revoke: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ inviteId: ids.inviteId }) })
    .input(z.object({ inviteId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const r = await ctx.db.invite.updateMany({
        where: { id: input.inviteId, orgId: ctx.orgId, revokedAt: null, acceptedAt: null },
        data: { revokedAt: new Date() },
      });
      if (r.count === 0) throw new AppError('NOT_FOUND', 'Invitation not found');
      await auditAs(ctx.db, ctx, {
        action: 'invite.revoked',
        target: { type: 'invite', id: input.inviteId },
      });
      return { revoked: input.inviteId };
    }),

  /** What the invitation page shows before sign-in: which org, which role, still valid? */
  preview: publicProcedure.input(tokenInput).query(async ({ ctx, input }) => {
    const invite = await ctx.db.invite.findUnique({
      where: { tokenHash: sha256(input.token) },
      include: { org: { select: { name: true, slug: true } } },
    });
    if (!invite) throw new AppError('NOT_FOUND', 'This invitation link is not valid.');
    return { orgName: invite.org.name, role: invite.role, expiresAt: invite.expiresAt, status: inviteStatus(invite) };
  }),

  accept: userProcedure.input(tokenInput).mutation(async ({ ctx, input }) => {
    return ctx.db.$transaction(async (tx) => {
      const invite = await tx.invite.findUnique({
        where: { tokenHash: sha256(input.token) },
        include: { org: { select: { slug: true } } },
      });
      if (!invite) throw new AppError('NOT_FOUND', 'This invitation link is not valid.');
      const status = inviteStatus(invite);
      if (status === 'expired')
        throw new AppError(
          'PRECONDITION_FAILED',
          `This invitation expired on ${invite.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. Ask for a new one.`,
        );
      if (status === 'revoked') throw new AppError('PRECONDITION_FAILED', 'This invitation was revoked.');
      if (status === 'used') throw new AppError('PRECONDITION_FAILED', 'This invitation has already been used.');
      if (invite.email && invite.email !== ctx.user.email.toLowerCase()) {
        throw new AppError(
          'FORBIDDEN',
          `This invitation is for ${invite.email}; you are signed in as ${ctx.user.email}.`,
        );
      }
      const existing = await tx.membership.findUnique({
        where: { orgId_userId: { orgId: invite.orgId, userId: ctx.user.userId } },
      });
      if (!existing) {
        await tx.membership.create({ data: { orgId: invite.orgId, userId: ctx.user.userId, role: invite.role } });
        await audit(tx, {
          orgId: invite.orgId,
          action: 'member.added',
          actor: { userId: ctx.user.userId, label: ctx.user.email },
          target: { type: 'user', id: ctx.user.userId },
          ip: ctx.ip,
          data: { role: invite.role, via: 'invite', inviteId: invite.id },
        });
      }
      await tx.invite.update({
        where: { id: invite.id },
        data: { acceptedAt: new Date(), acceptedById: ctx.user.userId },
      });
      return { org: invite.org.slug, alreadyMember: Boolean(existing) };
    });
  }),
});
