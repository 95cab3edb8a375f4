import type { ModelAlias, Prisma, PrismaClient } from '@prisma/client';
import { AppError } from '../errors';
import { audit, type AuditAction } from '../audit';
import type { Role } from '../auth/roles';
import { modelDeploymentChangedSchema, type ModelDeploymentChanged } from '../contracts/models';
import { sharedProducer } from '../kafka/producer';
import { TOPICS } from '../kafka/topics';
import { typedProducer } from '../kafka/typed';
import { childLogger } from '../observability/logger';
import { planRollback } from './alias-history';
import { describeGate, evaluateGate, type MetricGate } from './gate';

const log = childLogger('models');

/** Aliases that serve the fleet; moving them is a deployment, so it needs an admin. */
const PUBLISH_TIMEOUT_MS = 5000;

export const PROTECTED_ALIASES: readonly string[] = ['production'];

export type AliasMove =
  | { action: 'promote'; modelId: string; alias: string; versionId: string; gate?: MetricGate | null }
  | { action: 'rollback'; modelId: string; alias: string }
  | { action: 'canary'; modelId: string; alias: string; canaryVersionId: string; weight: number }
  | { action: 'canary_clear'; modelId: string; alias: string }
  | { action: 'delete'; modelId: string; alias: string };

/** Pure: the least role a move needs. Engineers move staging and their own names; admins deploy. */
export function aliasMoveMinRole(move: Pick<AliasMove, 'action' | 'alias'>): Role {
  if (move.action === 'canary' || move.action === 'canary_clear') return 'admin';
  return PROTECTED_ALIASES.includes(move.alias) ? 'admin' : 'engineer';
}

export interface MoveActor {
  orgId: string;
  actor: { userId?: string; apiKeyId?: string; label?: string };
  ip?: string | null;
}

export type DeploymentPublisher = (message: ModelDeploymentChanged) => Promise<void>;

/** dl.models through the process's shared producer, keyed by model so one model's moves stay in order. */
export const publishDeployment: DeploymentPublisher = async (message) => {
  const out = typedProducer(await sharedProducer(), TOPICS.models, modelDeploymentChangedSchema);
  await out.send([{ key: message.modelId, value: message }]);
};

export interface AliasMoveResult {
  alias: string;
  action: AliasMove['action'];
  versionId: string | null;
  version: number | null;
  canaryVersionId: string | null;
  canaryWeight: number;
  eventId: string;
  gate: string | null;
  /** false when the move is committed but dl.models could not be reached (inference reloads on restart). */
  published: boolean;
}

type Tx = Prisma.TransactionClient;

const AUDIT_ACTION: Record<AliasMove['action'], AuditAction> = {
  promote: 'model.alias_promoted',
  rollback: 'model.alias_rolled_back',
  canary: 'model.canary_set',
  canary_clear: 'model.canary_cleared',
  delete: 'model.alias_deleted',
};

const MESSAGE_ACTION: Record<AliasMove['action'], ModelDeploymentChanged['action']> = {
  promote: 'promote',
  rollback: 'rollback',
  canary: 'canary',
  canary_clear: 'canary',
  delete: 'delete',
};

class GateRefused extends Error {
  constructor(
    readonly reason: string,
    readonly details: Record<string, string | number | null>,
  ) {
    super(reason);
  }
}

const notFound = (message: string) => new AppError('NOT_FOUND', message);
const precondition = (message: string) => new AppError('PRECONDITION_FAILED', message);

async function versionOf(tx: Tx, orgId: string, modelId: string, id: string) {
  const v = await tx.modelVersion.findFirst({
    where: { id, modelId, orgId },
    select: { id: true, version: true, metrics: true },
  });
  if (!v) throw notFound('Model version not found');
  return v;
}

async function aliasOrThrow(tx: Tx, modelId: string, name: string): Promise<ModelAlias> {
  const a = await tx.modelAlias.findUnique({ where: { modelId_name: { modelId, name } } });
  if (!a) throw notFound(`This model has no alias "${name}"`);
  return a;
}

/**
 * Moves an alias: one transaction that locks the model row (so two moves of one model never
 * interleave), checks the gate, updates the alias, and writes its ModelAliasEvent and AuditLog
 * rows; then, after the commit, exactly one dl.models message. Inference re-reads the alias from
 * Postgres on that message, so the row is committed before anyone is told.
 */
export async function moveAlias(
  db: PrismaClient,
  who: MoveActor,
  move: AliasMove,
  publish: DeploymentPublisher = publishDeployment,
  options: { publishTimeoutMs?: number } = {},
): Promise<AliasMoveResult> {
  const publishTimeoutMs = options.publishTimeoutMs ?? PUBLISH_TIMEOUT_MS;
  const { orgId } = who;
  let outcome: { result: Omit<AliasMoveResult, 'published'>; message: ModelDeploymentChanged };
  try {
    outcome = await db.$transaction(async (tx) => {
      const [model] = await tx.$queryRaw<{ id: string; name: string }[]>`
        SELECT id, name FROM "RegisteredModel" WHERE id = ${move.modelId} AND "orgId" = ${orgId} FOR UPDATE`;
      if (!model) throw notFound('Model not found');

      const current = await tx.modelAlias.findUnique({
        where: { modelId_name: { modelId: model.id, name: move.alias } },
      });
      const history = await tx.modelAliasEvent.findMany({
        where: { orgId, modelId: model.id, alias: move.alias },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { action: true, fromVersionId: true, toVersionId: true, createdAt: true },
      });
      // Event order is the order of the locked moves, whatever the clocks of the web instances say.
      const lastAt = history.at(-1)?.createdAt.getTime() ?? 0;
      const createdAt = new Date(Math.max(Date.now(), lastAt + 1));

      let versionId: string | null;
      let canaryVersionId: string | null;
      let canaryWeight: number;
      let fromVersionId: string | null = current?.versionId ?? null;
      let gateText: string | null = null;
      const data: Record<string, string | number | null> = {};

      switch (move.action) {
        case 'promote': {
          const target = await versionOf(tx, orgId, model.id, move.versionId);
          const from = current ? await versionOf(tx, orgId, model.id, current.versionId) : null;
          if (current?.versionId === target.id)
            throw precondition(`"${move.alias}" already points at version ${target.version}`);
          if (move.gate) {
            gateText = describeGate(move.gate);
            const r = evaluateGate(
              move.gate,
              { label: `v${target.version}`, metrics: target.metrics },
              from ? { label: `v${from.version}`, metrics: from.metrics } : null,
            );
            if (!r.ok)
              throw new GateRefused(`Gate refused: ${r.reason}`, {
                model: model.name,
                alias: move.alias,
                version: target.version,
                gate: gateText,
                reason: r.reason,
              });
            data.gateResult = r.detail;
          }
          versionId = target.id;
          // Promoting the canary makes it the whole alias: the split is over.
          const graduates = current?.canaryVersionId === target.id;
          canaryVersionId = graduates ? null : (current?.canaryVersionId ?? null);
          canaryWeight = graduates ? 0 : (current?.canaryWeight ?? 0);
          data.fromVersion = from?.version ?? null;
          data.toVersion = target.version;
          await tx.modelAlias.upsert({
            where: { modelId_name: { modelId: model.id, name: move.alias } },
            create: { orgId, modelId: model.id, name: move.alias, versionId, canaryVersionId, canaryWeight },
            update: { versionId, canaryVersionId, canaryWeight },
          });
          break;
        }
        case 'rollback': {
          const alias = await aliasOrThrow(tx, model.id, move.alias);
          const plan = planRollback(history, alias.versionId);
          if (!plan.ok) throw precondition(`Cannot roll back "${move.alias}": ${plan.reason}`);
          const [from, target] = [
            await versionOf(tx, orgId, model.id, alias.versionId),
            await versionOf(tx, orgId, model.id, plan.toVersionId),
          ];
          versionId = target.id;
          const graduates = alias.canaryVersionId === target.id;
          canaryVersionId = graduates ? null : alias.canaryVersionId;
          canaryWeight = graduates ? 0 : alias.canaryWeight;
          data.fromVersion = from.version;
          data.toVersion = target.version;
          await tx.modelAlias.update({ where: { id: alias.id }, data: { versionId, canaryVersionId, canaryWeight } });
          break;
        }
        case 'canary': {
          const alias = await aliasOrThrow(tx, model.id, move.alias);
          const canary = await versionOf(tx, orgId, model.id, move.canaryVersionId);
          if (canary.id === alias.versionId)
            throw precondition(
              `Version ${canary.version} is already the main target of "${move.alias}"; a canary must be another version`,
            );
          if (!(move.weight >= 0 && move.weight <= 1))
            throw new AppError('BAD_REQUEST', 'The canary weight is a share between 0 and 1');
          versionId = alias.versionId;
          fromVersionId = alias.versionId;
          canaryVersionId = canary.id;
          canaryWeight = move.weight;
          data.canaryVersion = canary.version;
          data.previousCanaryVersionId = alias.canaryVersionId;
          await tx.modelAlias.update({ where: { id: alias.id }, data: { canaryVersionId, canaryWeight } });
          break;
        }
        case 'canary_clear': {
          const alias = await aliasOrThrow(tx, model.id, move.alias);
          if (!alias.canaryVersionId) throw precondition(`"${move.alias}" has no canary to clear`);
          versionId = alias.versionId;
          fromVersionId = alias.versionId;
          canaryVersionId = null;
          canaryWeight = 0;
          data.previousCanaryVersionId = alias.canaryVersionId;
          await tx.modelAlias.update({ where: { id: alias.id }, data: { canaryVersionId: null, canaryWeight: 0 } });
          break;
        }
        case 'delete': {
          const alias = await aliasOrThrow(tx, model.id, move.alias);
          versionId = null;
          canaryVersionId = null;
          canaryWeight = 0;
          await tx.modelAlias.delete({ where: { id: alias.id } });
          break;
        }
      }

      const event = await tx.modelAliasEvent.create({
        data: {
          orgId,
          modelId: model.id,
          alias: move.alias,
          action: move.action === 'canary_clear' ? 'canary' : move.action,
          fromVersionId,
          toVersionId: versionId,
          canaryVersionId,
          canaryWeight,
          actorLabel: who.actor.label ?? null,
          data: { ...data, ...(gateText ? { gate: gateText } : {}) },
          createdAt,
        },
      });
      await audit(tx, {
        orgId,
        action: AUDIT_ACTION[move.action],
        actor: who.actor,
        target: { type: 'model', id: model.id },
        data: { model: model.name, alias: move.alias, ...data, ...(gateText ? { gate: gateText } : {}), canaryWeight },
        ip: who.ip ?? null,
      });
      const toVersion = versionId ? await versionOf(tx, orgId, model.id, versionId) : null;
      return {
        result: {
          alias: move.alias,
          action: move.action,
          versionId,
          version: toVersion?.version ?? null,
          canaryVersionId,
          canaryWeight,
          eventId: event.id,
          gate: gateText,
        },
        message: {
          v: 1 as const,
          orgId,
          modelId: model.id,
          modelName: model.name,
          alias: move.alias,
          action: MESSAGE_ACTION[move.action],
          versionId,
          canaryVersionId,
          canaryWeight,
          at: createdAt.getTime(),
        },
      };
    });
  } catch (err) {
    if (err instanceof GateRefused) {
      // A refused promotion changes nothing, but who tried to ship what is worth keeping.
      await audit(db, {
        orgId,
        action: 'model.promotion_refused',
        actor: who.actor,
        target: { type: 'model', id: move.modelId },
        data: err.details,
        ip: who.ip ?? null,
      });
      throw new AppError('PRECONDITION_FAILED', err.reason);
    }
    throw err;
  }

  let published = true;
  let timer: NodeJS.Timeout | undefined;
  try {
    // kafkajs retries for up to half a minute when the broker is away; the person who clicked
    // Promote hears back sooner. A send that finishes after the deadline still delivers its one message.
    await Promise.race([
      publish(outcome.message),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`dl.models send took longer than ${publishTimeoutMs} ms`)),
          publishTimeoutMs,
        );
      }),
    ]);
  } catch (err) {
    published = false;
    log.error(
      { err, modelId: outcome.message.modelId, alias: outcome.message.alias },
      'alias moved but dl.models could not be reached',
    );
  } finally {
    clearTimeout(timer);
  }
  return { ...outcome.result, published };
}
