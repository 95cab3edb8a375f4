import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { audit } from '../audit';
import { db } from '../db';
import { env } from '../env';
import { childLogger } from '../observability/logger';
import { redis } from '../store/redis';
import { completeOidcSignIn } from './oidc';
import { verifyPassword } from './password';
import { hit, peek, reset } from './rate-limit';
import { authSecret } from './secret';

const log = childLogger('auth');

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(200),
});

export const signInRateKey = (email: string) => `signin:${email.trim().toLowerCase()}`;

export function oidcConfigured(): boolean {
  return Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);
}

/** Checks an email and password; counts and audits failures. Exported for tests. */
export async function authorizeCredentials(
  raw: unknown,
  ip: string | null,
): Promise<{ id: string; email: string; name: string | null } | null> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const limit = await peek(redis(), signInRateKey(email), env.SIGNIN_RATE_LIMIT);
  const user = await db.user.findUnique({ where: { email }, include: { memberships: { select: { orgId: true } } } });
  const orgIds = user?.memberships.map((m) => m.orgId) ?? [];
  const record = async (action: 'signin.failed' | 'signin.throttled') => {
    const entries = orgIds.length ? orgIds : [null];
    for (const orgId of entries) {
      await audit(db, {
        orgId,
        action,
        actor: { label: email, ...(user ? { userId: user.id } : {}) },
        ip,
        data: { email },
      });
    }
  };
  if (!limit.allowed) {
    await record('signin.throttled');
    throw new Error(`TooManyAttempts:${limit.retryAfterS}`);
  }
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : false;
  if (!user || !ok) {
    await hit(redis(), signInRateKey(email), env.SIGNIN_RATE_LIMIT);
    await record('signin.failed');
    log.warn({ email, ip }, 'sign-in failed');
    return null;
  }
  await reset(redis(), signInRateKey(email));
  return { id: user.id, email: user.email, name: user.name };
}

export function authOptions(): NextAuthOptions {
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      authorize: async (credentials, req) => {
        // next-auth types req as always there; its own credential calls can pass none.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        const headers = (req?.headers ?? {}) as Record<string, string | undefined>;
        return authorizeCredentials(credentials, headers['x-drivelab-client-ip'] ?? null);
      },
    }),
  ];
  if (oidcConfigured()) {
    providers.push({
      id: 'oidc',
      name: env.OIDC_NAME,
      type: 'oauth',
      wellKnown: `${env.OIDC_ISSUER!.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID!,
      clientSecret: env.OIDC_CLIENT_SECRET!,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile: (p: { sub: string; email?: string; name?: string; preferred_username?: string }) => ({
        id: p.sub,
        email: p.email ?? null,
        name: p.name ?? p.preferred_username ?? null,
      }),
    });
  }
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: env.SESSION_MAX_AGE_S },
    jwt: { maxAge: env.SESSION_MAX_AGE_S },
    pages: { signIn: '/signin', error: '/signin' },
    providers,
    logger: {
      error: (code, metadata) =>
        log.error({ code, metadata: metadata instanceof Error ? metadata.message : undefined }, 'next-auth error'),
      warn: (code) => log.warn({ code }, 'next-auth warning'),
      debug: () => undefined,
    },
    callbacks: {
      // OIDC: linked by subject, or by email only when the provider verified it (server/auth/oidc.ts).
      async signIn({ account, profile }) {
        if (account?.provider !== 'oidc') return true;
        const result = await completeOidcSignIn(db, {
          claims: profile,
          providerAccountId: account.providerAccountId,
          accountType: account.type,
          groupsClaim: env.OIDC_GROUPS_CLAIM,
          ip: null,
        });
        return result.ok ? true : `/signin?error=${encodeURIComponent(`Oidc:${result.reason}`)}`;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === 'oidc') {
          const linked = await db.account.findUnique({
            where: { provider_providerAccountId: { provider: 'oidc', providerAccountId: account.providerAccountId } },
            select: { userId: true },
          });
          if (linked) token.sub = linked.userId;
          // next-auth types user as always there; it is only on the sign-in call.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      async session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}
