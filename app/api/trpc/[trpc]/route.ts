import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
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
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ path, err: error }, 'tRPC procedure failed');
    },
  });

export { handler as GET, handler as POST };
