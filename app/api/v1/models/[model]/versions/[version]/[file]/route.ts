import { z } from 'zod';
import { aliasNameSchema } from '~/server/contracts/models';
import { authenticateRest, jsonError, restRoute } from '~/server/http/rest';
import { db } from '~/server/db';
import { ARTIFACT_FILES, resolveVersion, type ArtifactFile } from '~/server/models/queries';
import { getObject } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ model: string; version: string; file: string }> };

const paramsSchema = z.object({
  // Ids are cuids; names are whatever people typed, minus path tricks.
  model: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !s.includes('/') && !s.includes('\\') && s !== '.' && s !== '..'),
  version: z.union([z.string().regex(/^\d{1,9}$/), aliasNameSchema]),
  file: z.enum(ARTIFACT_FILES),
});
const CONTENT_TYPE: Record<ArtifactFile, string> = {
  'model.onnx': 'application/octet-stream',
  'sidecar.json': 'application/json',
  'tfjs.json': 'application/json',
};

/**
 * A version's artifact: model.onnx, sidecar.json or tfjs.json. The model is named by id or name,
 * the version by number or alias (…/versions/production/model.onnx follows the alias). Anything
 * outside the caller's org is the same 404 as nothing at all. Model files are a few MB at most,
 * so they are read whole.
 */
export const GET = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const raw = await context.params;
  let model: string;
  try {
    model = decodeURIComponent(raw.model);
  } catch {
    return jsonError(404, 'Model version not found');
  }
  const parsed = paramsSchema.safeParse({ ...raw, model });
  if (!parsed.success) {
    if (parsed.error.issues.some((i) => i.path[0] === 'file'))
      return jsonError(404, `Unknown artifact; use one of ${ARTIFACT_FILES.join(', ')}`);
    // Malformed names and versions are as unknown as missing ones.
    return jsonError(404, 'Model version not found');
  }
  const { version, file } = parsed.data;
  const found = await resolveVersion(db, auth.orgId, parsed.data.model, version);
  if (!found) return jsonError(404, 'Model version not found');
  const v = found.version;
  const key = file === 'model.onnx' ? v.onnxKey : file === 'sidecar.json' ? v.sidecarKey : v.tfjsKey;
  if (!key) return jsonError(404, `Version ${v.version} has no ${file}`);
  const bytes = await getObject(objectStore(), key);
  if (!bytes) return jsonError(404, `The ${file} of version ${v.version} is missing from the object store`);
  const base = found.model.name.replace(/[^A-Za-z0-9_.-]+/g, '-');
  return new Response(Buffer.from(bytes), {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPE[file],
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename="${base}-v${v.version}-${file}"`,
      'x-model-version': String(v.version),
      'cache-control': 'private, no-store',
    },
  });
});
