import { db } from '~/server/db';
import { authenticateRest, jsonError, restRoute } from '~/server/http/rest';
import { trainingJobDetail } from '~/server/training/job-detail';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ id: string }> };

/** One training job: state, progress, dataset, run metrics and loss curve, registered version. */
export const GET = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const { id } = await context.params;
  const job = id.length <= 64 ? await trainingJobDetail(db, auth.orgId, id) : null;
  if (!job) return jsonError(404, 'Training job not found');
  return Response.json({ job });
});
