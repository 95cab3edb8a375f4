import { z } from 'zod';
import { singleLine } from '~/server/contracts/strings';
import { db } from '~/server/db';
import { AppError } from '~/server/errors';
import { authenticateRest, errorResponse, restRoute } from '~/server/http/rest';
import { ARTIFACT_FILES, downloadPath, listModels } from '~/server/models/queries';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ name: singleLine(200).pipe(z.string().min(1)).optional() });

/**
 * The fleet ML service's model list: every registered model of the key's org with all its
 * versions (metrics, features, download links) and aliases. `?name=` narrows it to one model.
 */
export const GET = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const url = new URL(req.url);
  const q = querySchema.safeParse({ name: url.searchParams.get('name') ?? undefined });
  if (!q.success) return errorResponse(AppError.fromZod(q.error, 'Invalid query'));
  const models = await listModels(db, auth.orgId, { versions: 'all', name: q.data.name });
  return Response.json(
    {
      org: auth.orgSlug,
      models: models.map((m) => ({
        ...m,
        versions: m.versions.map((v) => ({
          ...v,
          downloads: Object.fromEntries(
            ARTIFACT_FILES.filter((f) => f !== 'tfjs.json' || v.hasTfjs).map((f) => [
              f,
              downloadPath(m.id, v.version, f),
            ]),
          ),
        })),
      })),
    },
    { headers: { 'cache-control': 'private, no-store' } },
  );
});
