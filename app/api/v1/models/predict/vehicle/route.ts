import { authenticateRest, parseJsonBody, restRoute } from '~/server/http/rest';
import { predictVehicle, vehiclePredictRequestSchema } from '~/server/inference/predict';
import { servingCache } from '~/server/inference/serving';
import { db } from '~/server/db';
import { servedRecorder } from '~/server/outcomes/served';
import { redis } from '~/server/store/redis';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Predicts for a vehicle from its latest window in the online feature store:
 * {"model": name, "runId": …, "vehicleId": …, "kind"?: "tumbling"|"sliding"}.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const body = await parseJsonBody(req, vehiclePredictRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await predictVehicle(await servingCache(), redis(), auth.orgId, body, servedRecorder(db)));
});
