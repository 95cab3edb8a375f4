import type { PrismaClient } from '@prisma/client';
import { childLogger } from '../observability/logger';
import { dispatchRun } from './commands';

const log = childLogger('campaigns');

/**
 * Starts queued runs of a campaign while fewer than maxConcurrent are active. The campaign row
 * is locked so that two web instances finishing runs at once never exceed the cap.
 */
export async function advanceCampaign(
  db: PrismaClient,
  campaignId: string,
): Promise<{ dispatched: string[]; finished: boolean }> {
  const picked = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Campaign" WHERE id = ${campaignId} FOR UPDATE`;
    const campaign = await tx.campaign.findUnique({ where: { id: campaignId } });
    if (!campaign || campaign.state !== 'running') return { ids: [] as string[], finished: false };
    const active = await tx.run.count({
      where: { campaignId, dispatchedAt: { not: null }, state: { in: ['queued', 'running'] } },
    });
    const waiting = await tx.run.findMany({
      where: { campaignId, dispatchedAt: null, state: 'queued' },
      orderBy: { createdAt: 'asc' },
      take: Math.max(0, campaign.maxConcurrent - active),
      select: { id: true },
    });
    const ids = waiting.map((r) => r.id);
    if (ids.length) await tx.run.updateMany({ where: { id: { in: ids } }, data: { dispatchedAt: new Date() } });
    const remaining = await tx.run.count({ where: { campaignId, state: { in: ['queued', 'running'] } } });
    if (remaining === 0)
      await tx.campaign.update({ where: { id: campaignId }, data: { state: 'completed', finishedAt: new Date() } });
    return { ids, finished: remaining === 0 };
  });
  for (const id of picked.ids) {
    await dispatchRun(db, id).catch((err: unknown) => log.error({ err, runId: id }, 'could not dispatch campaign run'));
  }
  return { dispatched: picked.ids, finished: picked.finished };
}
