import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { forbiddenKeyInJsonText, inputPolicyError } from '~/server/contracts/strings';
import { AppError } from '~/server/errors';
import { BODY_LIMITS, decodeUtf8, jsonDepthExceeds, MAX_JSON_DEPTH, readBodyBytes } from '~/server/http/limits';
import { errorResponse } from '~/server/http/rest';
import { childLogger } from '~/server/observability/logger';
import { MAX_TRPC_BATCH } from '~/server/trpc/batch';
import { createTRPCContext } from '~/server/trpc/init';
import { appRouter } from '~/server/trpc/root';

const log = childLogger('trpc');

const tooDeep = () =>
  new AppError('BAD_REQUEST', `The input is nested deeper than ${MAX_JSON_DEPTH} levels`, {
    issues: [{ path: '', code: 'too_deep', message: `nesting deeper than ${MAX_JSON_DEPTH} levels` }],
  });

/**
 * A `__proto__` (or `constructor`, `prototype`) key in the raw input: superjson would turn
 * `__proto__` into the object's prototype and drop the key, so the policy middleware
 * (server/trpc/init.ts) never sees it; it is refused here, named as the procedure's input field
 * (the superjson envelope `json`, and a batch's index, left out of the path).
 */
function refuseForbiddenKey(text: string): void {
  const bad = forbiddenKeyInJsonText(text);
  if (bad) throw inputPolicyError({ ...bad, path: bad.path.replace(/^(?:\d+\.)?json(?:\.|$)/, '') });
}

/**
 * The body is read here, bounded (413 before reading past BODY_LIMITS.trpc) and checked for
 * depth (400) and forbidden keys (400) before tRPC parses it, so neither JSON.parse nor superjson
 * meets a hostile input. These refusals come in the REST error shape: they happen before any
 * procedure exists.
 */
async function bounded(req: Request): Promise<Request> {
  if (req.method !== 'POST') {
    const input = new URL(req.url).searchParams.get('input');
    if (input && jsonDepthExceeds(input)) throw tooDeep();
    if (input) refuseForbiddenKey(input);
    return req;
  }
  const text = decodeUtf8(await readBodyBytes(req, BODY_LIMITS.trpc));
  if (jsonDepthExceeds(text)) throw tooDeep();
  refuseForbiddenKey(text);
  return new Request(req.url, { method: req.method, headers: req.headers, body: text });
}

const handler = async (raw: Request) => {
  let req: Request;
  try {
    req = await bounded(raw);
  } catch (err) {
    if (err instanceof AppError) return errorResponse(err);
    throw err;
  }
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    maxBatchSize: MAX_TRPC_BATCH,
    createContext: () => createTRPCContext({ headers: req.headers }),
    // A rate-limited caller gets 429 with Retry-After, whatever the procedure.
    responseMeta: ({ errors }) => {
      const limited = errors
        .map((e) => e.cause)
        .find((c): c is AppError => c instanceof AppError && c.details.retryAfterS !== undefined);
      return limited
        ? { status: 429, headers: new Headers({ 'Retry-After': String(limited.details.retryAfterS) }) }
        : {};
    },
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ path, err: error }, 'tRPC procedure failed');
    },
  });
};

export { handler as GET, handler as POST };
