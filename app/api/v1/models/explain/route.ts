import { predictRequestSchema } from '~/server/contracts/predict';
import { explainNamed } from '~/server/explain/explain';
import { authenticateRest, parseJsonBody } from '~/server/http/rest';
import { servingCache } from '~/server/inference/serving';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Why this prediction: the predict body in; the prediction and each feature's KernelSHAP
 * contribution out (base + Σ contributions = score), largest first.
 */
export async function POST(req: Request) {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const body = await parseJsonBody(req, predictRequestSchema);
  if (body instanceof Response) return body;
  const r = await explainNamed(await servingCache(), auth.orgId, body);
  return Response.json(r.body, { status: r.status });
}
