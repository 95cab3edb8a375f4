import { predictRequestSchema } from '~/server/contracts/predict';
import { explainNamed } from '~/server/explain/explain';
import { jsonBodyRoute } from '~/server/http/rest';
import { servingCache } from '~/server/inference/serving';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Why this prediction: the predict body in; the prediction and each feature's KernelSHAP
 * contribution out (base + Σ contributions = score), largest first.
 */
export const POST = jsonBodyRoute('viewer', predictRequestSchema, async (body, auth) =>
  Response.json(await explainNamed(await servingCache(), auth.orgId, body)),
);
