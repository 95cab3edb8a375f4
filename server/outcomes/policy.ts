import type { Prisma, PrismaClient } from '@prisma/client';
import { audit, type AuditAction } from '../audit';
import { AppError } from '../errors';
import type { MoveActor } from '../models/aliases';

/**
 * The alias's shadow version (scores a copy of its traffic, never answers, raises no alert) and
 * its outcome policy (automatic rollback of a significantly worse canary). Both are audited.
 */
async function aliasOf(db: PrismaClient, orgId: string, modelId: string, alias: string) {
  const a = await db.modelAlias.findFirst({
    where: { orgId, modelId, name: alias },
    select: { id: true, versionId: true, canaryVersionId: true, model: { select: { name: true } } },
  });
  if (!a) throw new AppError('NOT_FOUND', `This model has no alias "${alias}"`);
  return a;
}

/** Changes the alias and records who did it, in one transaction: no change goes unaudited. */
async function updateAudited(
  db: PrismaClient,
  who: MoveActor,
  input: { modelId: string; alias: string },
  a: Awaited<ReturnType<typeof aliasOf>>,
  data: Prisma.ModelAliasUpdateInput,
  action: AuditAction,
  detail: Record<string, Prisma.InputJsonValue | null>,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.modelAlias.update({ where: { id: a.id }, data });
    await audit(tx, {
      orgId: who.orgId,
      action,
      actor: who.actor,
      target: { type: 'model', id: input.modelId },
      data: { model: a.model.name, alias: input.alias, ...detail },
      ip: who.ip ?? null,
    });
  });
}

export async function setShadow(
  db: PrismaClient,
  who: MoveActor,
  input: { modelId: string; alias: string; versionId: string | null },
): Promise<{ shadowVersionId: string | null; version: number | null }> {
  const a = await aliasOf(db, who.orgId, input.modelId, input.alias);
  let version: number | null = null;
  if (input.versionId) {
    const v = await db.modelVersion.findFirst({
      where: { id: input.versionId, modelId: input.modelId, orgId: who.orgId },
      select: { version: true },
    });
    if (!v) throw new AppError('NOT_FOUND', 'Model version not found');
    if (input.versionId === a.versionId || input.versionId === a.canaryVersionId)
      throw new AppError(
        'PRECONDITION_FAILED',
        `Version ${v.version} already serves "${input.alias}"; a shadow is another version`,
      );
    version = v.version;
  }
  await updateAudited(db, who, input, a, { shadowVersionId: input.versionId }, 'model.shadow_set', {
    shadowVersion: version,
  });
  return { shadowVersionId: input.versionId, version };
}

export async function setAutoRollback(
  db: PrismaClient,
  who: MoveActor,
  input: { modelId: string; alias: string; autoRollback: boolean },
): Promise<{ autoRollback: boolean }> {
  const a = await aliasOf(db, who.orgId, input.modelId, input.alias);
  await updateAudited(db, who, input, a, { autoRollback: input.autoRollback }, 'model.outcome_policy_set', {
    autoRollback: input.autoRollback,
  });
  return { autoRollback: input.autoRollback };
}
