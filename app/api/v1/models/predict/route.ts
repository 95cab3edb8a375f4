import { noteApiServed } from '~/server/drift/serving';
import { jsonBodyRoute } from '~/server/http/rest';
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
export const POST = jsonBodyRoute('viewer', predictRequestSchema, async (body, auth) =>
  Response.json(await predictNamed(await servingCache(), auth.orgId, body, noteApiServed, servedRecorder(db))),
);
