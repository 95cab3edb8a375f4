import { db } from '~/server/db';
import { authenticateRest, jsonError, restRoute } from '~/server/http/rest';
import { cancelTrainingJob } from '~/server/training/jobs';
import { jobView } from '~/server/training/views';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ id: string }> };

/**
 * Cancels a training job: a queued one at once, a running one at the end of its current epoch
 * (the job shows cancelRequested until then). A finished job is returned unchanged.
 */
export const POST = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'engineer');
  if (auth instanceof Response) return auth;
  const { id } = await context.params;
  const job = id.length <= 64 ? await cancelTrainingJob(db, auth.orgId, id) : null;
  if (!job) return jsonError(404, 'Training job not found');
  return Response.json({ job: jobView(job) });
});
