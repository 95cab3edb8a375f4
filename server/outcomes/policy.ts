import type { PrismaClient } from '@prisma/client';
import { audit } from '../audit';
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
  await db.$transaction(async (tx) => {
    await tx.modelAlias.update({ where: { id: a.id }, data: { shadowVersionId: input.versionId } });
    await audit(tx, {
      orgId: who.orgId,
      action: 'model.shadow_set',
      actor: who.actor,
      target: { type: 'model', id: input.modelId },
      data: { model: a.model.name, alias: input.alias, shadowVersion: version },
      ip: who.ip ?? null,
    });
  });
  return { shadowVersionId: input.versionId, version };
}

export async function setAutoRollback(
  db: PrismaClient,
  who: MoveActor,
  input: { modelId: string; alias: string; autoRollback: boolean },
): Promise<{ autoRollback: boolean }> {
  const a = await aliasOf(db, who.orgId, input.modelId, input.alias);
  await db.$transaction(async (tx) => {
    await tx.modelAlias.update({ where: { id: a.id }, data: { autoRollback: input.autoRollback } });
    await audit(tx, {
      orgId: who.orgId,
      action: 'model.outcome_policy_set',
      actor: who.actor,
      target: { type: 'model', id: input.modelId },
      data: { model: a.model.name, alias: input.alias, autoRollback: input.autoRollback },
      ip: who.ip ?? null,
    });
  });
  return { autoRollback: input.autoRollback };
}
