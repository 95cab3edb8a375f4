import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import { InvalidCredentialsError, clientIp, resolveCaller, type Caller } from '../auth/caller';
import { RateLimitedError } from '../auth/rate-limit';
import { hasRole, type Role } from '../auth/roles';
import { db } from '../db';
import { redis } from '../store/redis';
import { env } from '../env';

/**
 * tRPC context: the database, the request headers, the client address and who is calling
 * (a session user, an API key, or nobody). Credential errors are kept and raised by the
 * procedures that need a caller, so public procedures still answer.
 */
export async function createTRPCContext(opts: { headers: Headers }) {
  let caller: Caller = { kind: 'anonymous' };
  let callerError: TRPCError | null = null;
  try {
    caller = await resolveCaller(opts.headers, { db, redis });
  } catch (err) {
    if (err instanceof RateLimitedError)
      callerError = new TRPCError({ code: 'TOO_MANY_REQUESTS', message: err.message, cause: err });
    else if (err instanceof InvalidCredentialsError)
      callerError = new TRPCError({ code: 'UNAUTHORIZED', message: err.message });
    else throw err;
  }
  return { db, headers: opts.headers, ip: clientIp(opts.headers), caller, callerError };
}
export type TRPCContext = Awaited<ReturnType<typeof createTRPCContext>>;

/**
 * Procedure metadata. Every org-scoped procedure declares the least role it needs and a
 * `sample` input (without `org`) built from the ids of one org's objects, so the isolation
 * test can aim each procedure at another tenant's objects. The test fails for a procedure
 * that lacks either, so procedures added later are covered automatically.
 */
export interface ProcedureMeta {
  minRole?: Role;
  sample?: (ids: SampleIds) => Record<string, unknown>;
}

/** Ids of objects that exist in an org, for `sample` inputs. Extended as domains are added. */
export type SampleIds = Record<
  | 'membershipId'
  | 'inviteId'
  | 'apiKeyId'
  | 'userId'
  | 'scenarioId'
  | 'runId'
  | 'campaignId'
  | 'datasetId'
  | 'datasetVersionId'
  | 'experimentId'
  | 'experimentRunId'
  | 'trainingJobId'
  | 'retrainScheduleId'
  | 'modelId'
  | 'modelVersionId',
  string
>;

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      // Unexpected failures are logged server-side; clients never see database or stack details.
      const hidden = error.code === 'INTERNAL_SERVER_ERROR' && env.NODE_ENV === 'production';
      return {
        ...shape,
        message: hidden ? 'Something went wrong on our side; it has been logged.' : shape.message,
        data: {
          ...shape.data,
          // Field-level messages for forms; never a stack trace.
          zodError:
            error.cause instanceof ZodError
              ? error.cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
              : null,
          retryAfterS: error.cause instanceof RateLimitedError ? error.cause.retryAfterS : undefined,
          stack: undefined,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/** A signed-in person (not an API key): creating orgs, accepting invites, their own profile. */
export const userProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.callerError) throw ctx.callerError;
  if (ctx.caller.kind !== 'user') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { ...ctx, user: ctx.caller } });
});

export const orgInput = z.object({ org: z.string().min(1).max(64).optional() });

/**
 * The one gate to tenant data (cal.com style): resolves the organization from the input slug
 * (or the API key's own org), checks membership and the procedure's least role, and puts
 * orgId into the context. A non-member learns nothing: NOT_FOUND, as if the org did not exist.
 */
export const orgProcedure = t.procedure.input(orgInput).use(async ({ ctx, input, meta, next }) => {
  if (ctx.callerError) throw ctx.callerError;
  const minRole = meta?.minRole;
  if (!minRole) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'procedure declares no minRole' });
  const caller = ctx.caller;
  if (caller.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in or use an API key' });

  let org: { id: string; slug: string; name: string } | null = null;
  let role: Role;
  if (caller.kind === 'apiKey') {
    org = await ctx.db.organization.findUnique({
      where: { id: caller.orgId },
      select: { id: true, slug: true, name: true },
    });
    if (!org || (input.org !== undefined && input.org !== org.slug))
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Organization not found' });
    role = caller.role;
  } else {
    if (!input.org) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Which organization? Pass "org" (its slug).' });
    const membership = await ctx.db.membership.findFirst({
      where: { userId: caller.userId, org: { slug: input.org } },
      select: { role: true, org: { select: { id: true, slug: true, name: true } } },
    });
    if (!membership) throw new TRPCError({ code: 'NOT_FOUND', message: 'Organization not found' });
    org = membership.org;
    role = membership.role;
  }
  if (!hasRole(role, minRole))
    throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minRole} role; you are ${role}.` });
  const actor =
    caller.kind === 'user'
      ? { userId: caller.userId, label: caller.email }
      : { apiKeyId: caller.apiKeyId, label: caller.label };
  return next({ ctx: { ...ctx, org, orgId: org.id, role, actor } });
});
