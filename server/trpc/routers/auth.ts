import { AppError } from '../../errors';
import { z } from 'zod';
import { oidcConfigured } from '../../auth/options';
import { hashPassword } from '../../auth/password';
import { hit } from '../../auth/rate-limit';
import { env } from '../../env';
import { redis } from '../../store/redis';
import { createTRPCRouter, publicProcedure, userProcedure } from '../init';

export const passwordSchema = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(200, 'At most 200 characters')
  .refine((p) => /[A-Za-z]/.test(p) && /[^A-Za-z]/.test(p), 'Mix letters with digits or symbols');

export const signUpInput = z.object({
  name: z.string().trim().min(1, 'Your name, please').max(100),
  email: z.string().trim().toLowerCase().pipe(z.email('A valid email address, please')),
  password: passwordSchema,
});

export const authRouter = createTRPCRouter({
  providers: publicProcedure.query(() => ({
    credentials: true,
    oidc: oidcConfigured() ? { id: 'oidc', name: env.OIDC_NAME } : null,
  })),

  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const rate = await hit(redis(), `signup:${ctx.ip ?? 'unknown'}`, env.SIGNUP_RATE_LIMIT);
    if (!rate.allowed)
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `Too many sign-ups from this address; try again in ${rate.retryAfterS} s`,
      );
    const existing = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new AppError('CONFLICT', 'An account with this email already exists. Sign in instead.');
    const user = await ctx.db.user.create({
      data: { name: input.name, email: input.email, passwordHash: await hashPassword(input.password) },
      select: { id: true, email: true, name: true },
    });
    return user;
  }),

  me: userProcedure.query(async ({ ctx }) => {
    const memberships = await ctx.db.membership.findMany({
      where: { userId: ctx.user.userId },
      select: { role: true, org: { select: { id: true, slug: true, name: true } } },
      orderBy: { org: { name: 'asc' } },
    });
    return {
      id: ctx.user.userId,
      email: ctx.user.email,
      name: ctx.user.name,
      timeFormat: (await ctx.db.user.findUnique({ where: { id: ctx.user.userId }, select: { timeFormat: true } }))
        ?.timeFormat,
      orgs: memberships.map((m) => ({ ...m.org, role: m.role })),
    };
  }),

  /** The signed-in person's own time setting: every page shows times in UTC or their local zone. */
  setTimeFormat: userProcedure
    .input(z.object({ timeFormat: z.enum(['utc', 'local']) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.user.update({ where: { id: ctx.user.userId }, data: { timeFormat: input.timeFormat } });
      return { timeFormat: input.timeFormat };
    }),
});
