import { noteApiServed } from '~/server/drift/serving';
import { jsonBodyRoute } from '~/server/http/rest';
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
export const POST = jsonBodyRoute('viewer', vehiclePredictRequestSchema, async (body, auth) =>
  Response.json(
    await predictVehicle(await servingCache(), redis(), auth.orgId, body, noteApiServed, servedRecorder(db)),
  ),
);
