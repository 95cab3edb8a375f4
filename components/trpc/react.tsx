'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, loggerLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { useEffect, useState, type ReactNode } from 'react';
import superjson from 'superjson';
import { MAX_TRPC_BATCH } from '~/server/trpc/batch';
import type { AppRouter } from '~/server/trpc/root';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function makeQueryClient() {
  // A 4xx (not found, forbidden, bad input) will not change on a retry: show it at once.
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        retry: (failures, err) =>
          failures < 1 &&
          !/^(NOT_FOUND|FORBIDDEN|UNAUTHORIZED|BAD_REQUEST)$/.test(
            String((err as { data?: { code?: string } }).data?.code),
          ),
      },
    },
  });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  // Marks the page interactive; browser tests wait for it instead of guessing.
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        loggerLink({
          enabled: (op) =>
            process.env.NODE_ENV === 'development' && op.direction === 'down' && op.result instanceof Error,
        }),
        httpBatchLink({ url: '/api/trpc', transformer: superjson, maxItems: MAX_TRPC_BATCH }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
