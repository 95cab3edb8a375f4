import { AppError } from '../../errors';
import { z } from 'zod';
import { auditAs } from '../../audit';
import { canGrant, roleSchema } from '../../auth/roles';
import { generateApiKey } from '../../auth/tokens';
import { createTRPCRouter, orgProcedure } from '../init';

export const apiKeysRouter = createTRPCRouter({
  list: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).query(async ({ ctx }) => {
    const rows = await ctx.db.apiKey.findMany({
      where: { orgId: ctx.orgId },
      select: {
        id: true,
        name: true,
        prefix: true,
        role: true,
        lastUsedAt: true,
        createdAt: true,
        revokedAt: true,
        expiresAt: true,
        createdBy: { select: { email: true } },
      },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((r) => ({ ...r, display: `dlk_${r.prefix}_…`, createdBy: r.createdBy?.email ?? null }));
  }),

  create: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({ name: 'sample', role: 'viewer' }) })
    .input(
      z.object({
        name: z.string().trim().min(1, 'Name the key').max(80),
        role: roleSchema.default('engineer'),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!canGrant(ctx.role, input.role))
        throw new AppError('FORBIDDEN', `As ${ctx.role} you cannot create a ${input.role} key.`);
      const { key, prefix, hash } = generateApiKey();
      const row = await ctx.db.apiKey.create({
        data: {
          orgId: ctx.orgId,
          name: input.name,
          prefix,
          hash,
          role: input.role,
          createdById: ctx.actor.userId ?? null,
          expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
        },
      });
      await auditAs(ctx.db, ctx, {
        action: 'apikey.created',
        target: { type: 'apikey', id: row.id },
        data: { name: input.name, role: input.role, prefix },
      });
      // The only time the key itself is returned; the database keeps its sha256.
      return { id: row.id, name: row.name, role: row.role, prefix, key };
    }),

  revoke: orgProcedure
    .meta({ minRole: 'admin', sample: (ids) => ({ id: ids.apiKeyId }) })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const r = await ctx.db.apiKey.updateMany({
        where: { id: input.id, orgId: ctx.orgId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (r.count === 0) throw new AppError('NOT_FOUND', 'API key not found');
      await auditAs(ctx.db, ctx, {
        action: 'apikey.revoked',
        target: { type: 'apikey', id: input.id },
      });
      return { revoked: input.id };
    }),
});
