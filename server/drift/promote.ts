import type { PrismaClient } from '@prisma/client';
import { AppError } from '../errors';
import { moveAlias, type DeploymentPublisher } from '../models/aliases';
import { mainMetric } from '../models/lineage';
import { childLogger } from '../observability/logger';

const log = childLogger('drift.promote');

/** The tag a drift retrain carries under the "retrain-and-gate-promote" policy (check.ts). */
export const GATE_PROMOTE_TAG = 'gate-promote';

/**
 * The second half of "retrain and gate-promote": a finished retraining job's version moves to
 * `production` only through the metric gate "better than what production serves now" on the
 * model's main metric. A refusal is audited by moveAlias and leaves production where it is; it
 * never throws, so the finished training job stays finished.
 */
export async function gatePromoteRetrained(
  db: PrismaClient,
  job: { orgId: string; tags: string[] },
  version: { id: string; modelId: string; kind: string; metrics: unknown },
  publish?: DeploymentPublisher,
): Promise<{ promoted: boolean; reason: string }> {
  if (!job.tags.includes(GATE_PROMOTE_TAG)) return { promoted: false, reason: 'not a gate-promote retrain' };
  const metrics = version.metrics && typeof version.metrics === 'object' ? Object.keys(version.metrics) : [];
  const metric = mainMetric(version.kind, metrics);
  if (!metric) return { promoted: false, reason: 'the version has no metric to gate on' };
  try {
    const r = await moveAlias(
      db,
      { orgId: job.orgId, actor: { label: 'drift policy (retrain and gate-promote)' } },
      {
        action: 'promote',
        modelId: version.modelId,
        alias: 'production',
        versionId: version.id,
        gate: { metric, better: true },
      },
      publish,
    );
    log.info({ versionId: version.id, gate: r.gate }, 'retrained version promoted to production');
    return { promoted: true, reason: r.gate ?? 'promoted' };
  } catch (err) {
    if (err instanceof AppError && err.code === 'PRECONDITION_FAILED') {
      log.info({ versionId: version.id, reason: err.message }, 'retrained version not promoted: the gate refused it');
      return { promoted: false, reason: err.message };
    }
    // The training itself succeeded: a failed move is logged, never fails the job.
    log.warn({ err, versionId: version.id }, 'gate-promote of the retrained version failed');
    return { promoted: false, reason: (err as Error).message };
  }
}
