import NextAuth from 'next-auth';
import { env } from '~/server/env';
import { authOptions, signInRateKey } from '~/server/auth/options';
import { peek } from '~/server/auth/rate-limit';
import { redis } from '~/server/store/redis';

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// next-auth 4 types its App Router handler as any; this is the shape it has there.
const handler = NextAuth(authOptions()) as (req: Request, ctx: RouteContext) => Promise<Response>;

/**
 * Credentials sign-in is refused with 429 and Retry-After once an email has too many recent
 * failures, before any password is checked. The body keeps next-auth's shape so its client
 * reports the error instead of failing to parse.
 */
async function POST(req: Request, ctx: RouteContext) {
  if (new URL(req.url).pathname.endsWith('/callback/credentials')) {
    const form = await req
      .clone()
      .formData()
      .catch(() => null);
    const email = form?.get('email');
    if (typeof email === 'string' && email) {
      const state = await peek(redis(), signInRateKey(email), env.SIGNIN_RATE_LIMIT);
      if (!state.allowed) {
        const url = new URL(`/signin?error=TooManyAttempts&retryAfter=${state.retryAfterS}`, req.url).toString();
        return Response.json(
          { url, error: 'TooManyAttempts' },
          { status: 429, headers: { 'Retry-After': String(state.retryAfterS) } },
        );
      }
    }
  }
  return handler(req, ctx);
}

export { handler as GET, POST };
