import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { RateLimitedError } from '~/server/auth/rate-limit';
import { childLogger } from '~/server/observability/logger';
import { createTRPCContext } from '~/server/trpc/init';
import { appRouter } from '~/server/trpc/root';

const log = childLogger('trpc');

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    // A rate-limited caller gets 429 with Retry-After, whatever the procedure.
    responseMeta: ({ errors }) => {
      const limited = errors.find((e) => e.cause instanceof RateLimitedError);
      return limited
        ? {
            status: 429,
            headers: new Headers({ 'Retry-After': String((limited.cause as RateLimitedError).retryAfterS) }),
          }
        : {};
    },
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ path, err: error }, 'tRPC procedure failed');
    },
  });

export { handler as GET, handler as POST };
