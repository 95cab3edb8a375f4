import { AppError } from '~/server/errors';
import { errorResponse } from '~/server/http/rest';

export const dynamic = 'force-dynamic';

/**
 * Any /api/v1 path no route serves: a JSON 404 in the one error shape, never the portal's HTML
 * page (API clients parse the body). Next.js matches the real routes first. An optional
 * catch-all, so that /api/v1 itself (and /api/v1/, which Next redirects there) is one too.
 */
function notFound(req: Request): Response {
  const path = new URL(req.url).pathname;
  return errorResponse(
    new AppError('NOT_FOUND', `No API route ${req.method} ${path.slice(0, 200)}`, {
      issues: [{ path: '', code: 'unknown_route', message: 'see the API section of the README for the routes' }],
    }),
  );
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
