import { z } from 'zod';
import { createTRPCRouter, orgProcedure } from '../init';

export const auditRouter = createTRPCRouter({
  list: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({}) })
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(200).default(50),
          before: z.date().optional(),
          action: z.string().max(64).optional(),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.auditLog.findMany({
        where: {
          orgId: ctx.orgId,
          ...(input.before ? { createdAt: { lt: input.before } } : {}),
          ...(input.action ? { action: input.action } : {}),
        },
        orderBy: { createdAt: 'desc' },
        take: input.limit + 1,
      });
      return { entries: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
    }),
});
