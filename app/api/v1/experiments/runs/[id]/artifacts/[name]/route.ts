import { db } from '~/server/db';
import { authenticateRest, jsonError, restRoute } from '~/server/http/rest';
import { getObject } from '~/server/models/registry';
import { objectStore } from '~/server/store/object-store';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ id: string; name: string }> };

/** The artifacts every finished run keeps, by name: file name and content type of each. */
const ARTIFACTS: Record<string, { file: string; type: string }> = {
  onnx: { file: 'model.onnx', type: 'application/octet-stream' },
  tfjs: { file: 'tfjs.json', type: 'application/json' },
  sidecar: { file: 'sidecar.json', type: 'application/json' },
  normalisation: { file: 'normalisation.json', type: 'application/json' },
  features: { file: 'features.json', type: 'application/json' },
  dataset: { file: 'dataset.json', type: 'application/json' },
};

/**
 * Downloads one artifact of an experiment run (ONNX, tfjs, sidecar, normalisation, feature list,
 * dataset lineage). Another org's run and a run that does not exist are the same 404.
 */
export const GET = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const { id, name } = await context.params;
  // Own keys only: "constructor" or "toString" must not find Object.prototype's members.
  const artifact = Object.hasOwn(ARTIFACTS, name) ? ARTIFACTS[name] : undefined;
  // The name is not echoed: it is the caller's, of any length.
  if (!artifact) return jsonError(404, `Unknown artifact; one of ${Object.keys(ARTIFACTS).join(', ')}`);
  const run = await db.experimentRun.findFirst({
    where: { id, orgId: auth.orgId },
    select: { id: true, artifacts: true },
  });
  if (!run) return jsonError(404, 'Run not found');
  const key = (run.artifacts as Record<string, string> | null)?.[name];
  const bytes = key ? await getObject(objectStore(), key) : null;
  if (!bytes) return jsonError(404, 'This run has no such artifact (it did not complete)');
  return new Response(Buffer.from(bytes), {
    status: 200,
    headers: {
      'content-type': artifact.type,
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename="${run.id}-${artifact.file}"`,
      'cache-control': 'private, no-store',
    },
  });
});
