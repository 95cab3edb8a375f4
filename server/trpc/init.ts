import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import { clientIp, resolveCaller, type Caller } from '../auth/caller';
import { hasRole, type Role } from '../auth/roles';
import { assertSafeInput } from '../contracts/strings';
import { db } from '../db';
import { AppError, asAppError, INTERNAL_MESSAGE } from '../errors';
import { redis } from '../store/redis';
import { env } from '../env';

/**
 * tRPC context: the database, the request headers, the client address and who is calling
 * (a session user, an API key, or nobody). Credential errors are kept and raised by the
 * procedures that need a caller, so public procedures still answer.
 */
export async function createTRPCContext(opts: { headers: Headers }) {
  let caller: Caller = { kind: 'anonymous' };
  let callerError: AppError | null = null;
  try {
    caller = await resolveCaller(opts.headers, { db, redis });
  } catch (err) {
    if (err instanceof AppError) callerError = err;
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
      // One error shape: a short message plus machine-readable issues (path, code, message).
      // Unexpected failures are logged server-side; clients never see database or stack details.
      const app = error.cause instanceof AppError ? error.cause : null;
      const zod = error.cause instanceof ZodError ? AppError.fromZod(error.cause) : null;
      const hidden = error.code === 'INTERNAL_SERVER_ERROR' && !app && env.NODE_ENV === 'production';
      const issues = (app ?? zod)?.issues ?? [];
      return {
        ...shape,
        // tRPC's own message for a failed input parse is a JSON dump of the zod issues.
        message: hidden ? INTERNAL_MESSAGE : (zod?.message ?? shape.message),
        data: {
          ...shape.data,
          issues,
          // Field-level messages for forms (kept for the portal's forms; `issues` is the contract).
          zodError: zod ? issues.map((i) => ({ path: i.path, message: i.message })) : null,
          retryAfterS: app?.details.retryAfterS,
          stack: undefined,
        },
      };
    },
  });

/**
 * The tRPC mapping of AppError (server/errors.ts): thrown anywhere below, it becomes the
 * TRPCError of the same code, with the AppError as cause for the formatter.
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const app = asAppError(result.error.cause);
    if (app && result.error.code !== app.code)
      throw new TRPCError({ code: app.code, message: app.message, cause: app });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/** The string input policy (server/contracts/strings.ts) over the whole raw input, before any parser. */
const safeInput = t.middleware(async ({ getRawInput, next }) => {
  assertSafeInput(await getRawInput());
  return next();
});

const baseProcedure = t.procedure.use(appErrors).use(safeInput);
export const publicProcedure = baseProcedure;

/** A signed-in person (not an API key): creating orgs, accepting invites, their own profile. */
export const userProcedure = baseProcedure.use(({ ctx, next }) => {
  if (ctx.callerError) throw ctx.callerError;
  if (ctx.caller.kind !== 'user') throw new AppError('UNAUTHORIZED', 'Sign in first');
  return next({ ctx: { ...ctx, user: ctx.caller } });
});

export const orgInput = z.object({ org: z.string().min(1).max(64).optional() });

/**
 * The one gate to tenant data (cal.com style): resolves the organization from the input slug
 * (or the API key's own org), checks membership and the procedure's least role, and puts
 * orgId into the context. A non-member learns nothing: NOT_FOUND, as if the org did not exist.
 */
export const orgProcedure = baseProcedure.input(orgInput).use(async ({ ctx, input, meta, next }) => {
  if (ctx.callerError) throw ctx.callerError;
  const minRole = meta?.minRole;
  if (!minRole) throw new AppError('INTERNAL_SERVER_ERROR', 'procedure declares no minRole');
  const caller = ctx.caller;
  if (caller.kind === 'anonymous') throw new AppError('UNAUTHORIZED', 'Sign in or use an API key');

  let org: { id: string; slug: string; name: string } | null;
  let role: Role;
  if (caller.kind === 'apiKey') {
    org = await ctx.db.organization.findUnique({
      where: { id: caller.orgId },
      select: { id: true, slug: true, name: true },
    });
    if (!org || (input.org !== undefined && input.org !== org.slug))
      throw new AppError('NOT_FOUND', 'Organization not found');
    role = caller.role;
  } else {
    if (!input.org) throw new AppError('BAD_REQUEST', 'Which organization? Pass "org" (its slug).');
    const membership = await ctx.db.membership.findFirst({
      where: { userId: caller.userId, org: { slug: input.org } },
      select: { role: true, org: { select: { id: true, slug: true, name: true } } },
    });
    if (!membership) throw new AppError('NOT_FOUND', 'Organization not found');
    org = membership.org;
    role = membership.role;
  }
  if (!hasRole(role, minRole)) throw new AppError('FORBIDDEN', `This needs the ${minRole} role; you are ${role}.`);
  const actor =
    caller.kind === 'user'
      ? { userId: caller.userId, label: caller.email }
      : { apiKeyId: caller.apiKeyId, label: caller.label };
  return next({ ctx: { ...ctx, org, orgId: org.id, role, actor } });
});
