import { authenticateRest, parseJsonBody, restRoute } from '~/server/http/rest';
import { predictNamed, predictRequestSchema } from '~/server/inference/predict';
import { servingCache } from '~/server/inference/serving';
import { db } from '~/server/db';
import { servedRecorder } from '~/server/outcomes/served';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Fleet predict API: {"model": name, "features": {name: value|null}} → the prediction of the
 * model's production version (or "alias"/"version"), with the version and latency. The names
 * must be exactly the model's features: missing and unknown ones are listed in a 400.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const body = await parseJsonBody(req, predictRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await predictNamed(await servingCache(), auth.orgId, body, servedRecorder(db)));
});
