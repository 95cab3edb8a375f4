import { trainingJobApiRequestSchema } from '~/server/contracts/training';
import { db } from '~/server/db';
import { authenticateRest, jsonBodyRoute, restRoute } from '~/server/http/rest';
import { createTrainingJob, resolveApiTrainingRequest } from '~/server/training/jobs';
import { jobView } from '~/server/training/views';

export const dynamic = 'force-dynamic';

/**
 * Queues a training job (fleet ML service contract). Engineers and above. Takes the fleet
 * service's `model_type`/`dataset`/`config` or DriveLab's `kind`/`datasetVersionId`/`params`.
 */
export const POST = jsonBodyRoute('engineer', trainingJobApiRequestSchema, async (body, auth) => {
  const request = await resolveApiTrainingRequest(db, auth.orgId, body);
  const job = await createTrainingJob(db, {
    orgId: auth.orgId,
    request,
    createdById: auth.actor.userId ?? null,
  });
  return Response.json({ job: jobView(job) }, { status: 201 });
});

/** The org's most recent training jobs with state and progress. */
export const GET = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const jobs = await db.trainingJob.findMany({
    where: { orgId: auth.orgId },
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
  return Response.json({ jobs: jobs.map(jobView) });
});
