import { predictRequestSchema } from '~/server/contracts/predict';
import { explainNamed } from '~/server/explain/explain';
import { authenticateRest, parseJsonBody, restRoute } from '~/server/http/rest';
import { servingCache } from '~/server/inference/serving';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Why this prediction: the predict body in; the prediction and each feature's KernelSHAP
 * contribution out (base + Σ contributions = score), largest first.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const body = await parseJsonBody(req, predictRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await explainNamed(await servingCache(), auth.orgId, body));
});
