import { feedbackRequestSchema } from '~/server/contracts/feedback';
import { db } from '~/server/db';
import { authenticateRest, parseJsonBody, restRoute } from '~/server/http/rest';
import { recordFeedback } from '~/server/outcomes/feedback';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Observed outcomes: {"predictionId": …, "observed": …} or {"model", "vehicleId", "time",
 * "observed"}. Labels the served prediction (and its shadow twin), then re-evaluates the alias's
 * per-variant outcomes; an alias with automatic rollback drops a significantly worse canary.
 * Engineers and up: a label moves metrics that can roll a deployment back.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'engineer');
  if (auth instanceof Response) return auth;
  const body = await parseJsonBody(req, feedbackRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await recordFeedback(db, auth.orgId, body));
});
