import { AppError } from '../../errors';
import { z } from 'zod';
import { audit, auditAs } from '../../audit';
import { deliverTestWebhook, newWebhookSecret, SIGNATURE_HEADER, webhookUrlSchema } from '../../drift/webhook';
import { createTRPCRouter, orgProcedure, userProcedure } from '../init';

/** Paths of the portal that an org slug must not shadow (/[org]/… lives beside them). */
const RESERVED = new Set([
  'api',
  'signin',
  'signup',
  'signout',
  'orgs',
  'invite',
  'status',
  'settings',
  'new',
  '_next',
  'socket.io',
  'favicon.ico',
  'health',
  'metrics',
]);

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'At least 2 characters')
  .max(40, 'At most 40 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single dashes')
  .refine((s) => !RESERVED.has(s), 'This name is reserved');

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
}

const orgName = z.string().trim().min(2, 'At least 2 characters').max(80, 'At most 80 characters');

/** The last owner may not leave or be demoted: an org always has someone who can manage it. */
export async function assertNotLastOwner(
  db: { membership: { count: (a: { where: { orgId: string; role: 'owner' } }) => Promise<number> } },
  orgId: string,
): Promise<void> {
  const owners = await db.membership.count({ where: { orgId, role: 'owner' } });
  if (owners <= 1)
    throw new AppError(
      'PRECONDITION_FAILED',
      'An organization needs at least one owner. Make someone else an owner first.',
    );
}

export const orgsRouter = createTRPCRouter({
  create: userProcedure
    .input(z.object({ name: orgName, slug: slugSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      const base = input.slug ?? slugify(input.name);
      const candidate = slugSchema.safeParse(base);
      if (!candidate.success)
        throw new AppError('BAD_REQUEST', `Cannot make a URL name from "${input.name}"; choose one.`);
      let slug = candidate.data;
      if (await ctx.db.organization.findUnique({ where: { slug } })) {
        if (input.slug) throw new AppError('CONFLICT', `The URL name "${slug}" is taken.`);
        slug = `${slug.slice(0, 34)}-${Math.random().toString(36).slice(2, 6)}`;
      }
      const org = await ctx.db.$transaction(async (tx) => {
        const created = await tx.organization.create({
          data: { name: input.name, slug, memberships: { create: { userId: ctx.user.userId, role: 'owner' } } },
        });
        await audit(tx, {
          orgId: created.id,
          action: 'org.created',
          actor: { userId: ctx.user.userId, label: ctx.user.email },
          target: { type: 'org', id: created.id },
          ip: ctx.ip,
          data: { name: input.name, slug },
        });
        return created;
      });
      return { id: org.id, slug: org.slug, name: org.name };
    }),

  get: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(async ({ ctx }) => {
    const [members, keys, pendingInvites] = await Promise.all([
      ctx.db.membership.count({ where: { orgId: ctx.orgId } }),
      ctx.db.apiKey.count({ where: { orgId: ctx.orgId, revokedAt: null } }),
      ctx.db.invite.count({
        where: { orgId: ctx.orgId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      }),
    ]);
    return { ...ctx.org, role: ctx.role, counts: { members, apiKeys: keys, pendingInvites } };
  }),

  rename: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({ name: 'Renamed Org' }) })
    .input(z.object({ name: orgName }))
    .mutation(async ({ ctx, input }) => {
      const org = await ctx.db.organization.update({
        where: { id: ctx.orgId },
        data: { name: input.name },
        select: { id: true, slug: true, name: true },
      });
      await auditAs(ctx.db, ctx, {
        action: 'org.renamed',
        target: { type: 'org', id: ctx.orgId },
        data: { from: ctx.org.name, to: input.name },
      });
      return org;
    }),

  leave: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).mutation(async ({ ctx }) => {
    if (ctx.caller.kind !== 'user')
      throw new AppError('BAD_REQUEST', 'API keys cannot leave an organization; revoke the key instead.');
    const userId = ctx.caller.userId;
    await ctx.db.$transaction(async (tx) => {
      if (ctx.role === 'owner') await assertNotLastOwner(tx, ctx.orgId);
      await tx.membership.delete({ where: { orgId_userId: { orgId: ctx.orgId, userId } } });
      await auditAs(tx, ctx, {
        action: 'member.left',
        target: { type: 'user', id: userId },
      });
    });
    return { left: ctx.org.slug };
  }),

  /** The org's outgoing webhook (drift alerts); the secret is shown only when it is set. */
  webhook: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).query(async ({ ctx }) => {
    const hook = await ctx.db.orgWebhook.findUnique({ where: { orgId: ctx.orgId } });
    if (!hook) return null;
    return {
      url: hook.url,
      signatureHeader: SIGNATURE_HEADER,
      lastStatus: hook.lastStatus,
      lastError: hook.lastError,
      lastAt: hook.lastAt,
      updatedAt: hook.updatedAt,
    };
  }),

  /** Sets the webhook URL with a new signing secret, returned this once. */
  setWebhook: orgProcedure
    .meta({ minRole: 'admin', sample: () => ({ url: 'https://example.com/drivelab' }) })
    .input(z.object({ url: webhookUrlSchema }))
    .mutation(async ({ ctx, input }) => {
      const secret = newWebhookSecret();
      await ctx.db.orgWebhook.upsert({
        where: { orgId: ctx.orgId },
        create: { orgId: ctx.orgId, url: input.url, secret },
        update: { url: input.url, secret, lastStatus: null, lastError: null, lastAt: null },
      });
      await auditAs(ctx.db, ctx, {
        action: 'org.webhook_set',
        target: { type: 'org', id: ctx.orgId },
        data: { url: input.url },
      });
      return { url: input.url, secret, signatureHeader: SIGNATURE_HEADER };
    }),

  /** Sends one signed test event to the webhook and says how the receiver answered. */
  testWebhook: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).mutation(async ({ ctx }) => {
    const result = await deliverTestWebhook(ctx.db, ctx.orgId);
    if (!result) throw new AppError('PRECONDITION_FAILED', 'Set a webhook URL first');
    await auditAs(ctx.db, ctx, {
      action: 'org.webhook_tested',
      target: { type: 'org', id: ctx.orgId },
      data: { status: result.status },
    });
    return result;
  }),

  removeWebhook: orgProcedure.meta({ minRole: 'admin', sample: () => ({}) }).mutation(async ({ ctx }) => {
    const { count } = await ctx.db.orgWebhook.deleteMany({ where: { orgId: ctx.orgId } });
    if (count > 0)
      await auditAs(ctx.db, ctx, {
        action: 'org.webhook_removed',
        target: { type: 'org', id: ctx.orgId },
      });
    return { removed: count > 0 };
  }),
});
