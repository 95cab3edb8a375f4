import { openApiDocument } from '~/server/http/openapi';

export const dynamic = 'force-static';

/** The OpenAPI 3.1 document of /api/v1, public like the API reference it is. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { 'cache-control': 'public, max-age=300' } });
}
