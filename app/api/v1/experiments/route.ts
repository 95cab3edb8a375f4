import { db } from '~/server/db';
import { authenticateRest, restRoute } from '~/server/http/rest';

export const dynamic = 'force-dynamic';

/** Experiments of the key's org with their runs: parameters, final metrics, model versions. */
export const GET = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const experiments = await db.experiment.findMany({
    where: { orgId: auth.orgId },
    orderBy: { updatedAt: 'desc' },
    take: 200,
    include: { runs: { orderBy: { startedAt: 'desc' }, take: 100 } },
  });
  return Response.json({
    experiments: experiments.map((e) => ({
      id: e.id,
      name: e.name,
      description: e.description,
      createdAt: e.createdAt,
      runs: e.runs.map((r) => ({
        id: r.id,
        name: r.name,
        kind: r.kind,
        state: r.state,
        params: r.params,
        tags: r.tags,
        backend: r.backend,
        metrics: r.metrics,
        datasetVersionId: r.datasetVersionId,
        datasetFingerprint: r.datasetFingerprint,
        modelVersionId: r.modelVersionId,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.durationMs,
      })),
    })),
  });
});
