import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from './root';
import { MAX_TRPC_BATCH } from './batch';

export type { AppRouter };
export type DriveLabClient = TRPCClient<AppRouter>;

/**
 * The typed client for scripts and services: `import { createDriveLabClient } from 'drivelab/client'`.
 * An API key belongs to one organization, so org-scoped procedures need no `org` argument.
 */
export function createDriveLabClient(options: { url: string; apiKey: string; fetch?: typeof fetch }): DriveLabClient {
  const base = options.url.replace(/\/$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/api/trpc`,
        transformer: superjson,
        maxItems: MAX_TRPC_BATCH,
        headers: () => ({ authorization: `Bearer ${options.apiKey}` }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}
