import type { Prisma, PrismaClient } from '@prisma/client';
import { childLogger } from './observability/logger';

const log = childLogger('audit');

export type AuditAction =
  | 'org.created'
  | 'org.renamed'
  | 'member.added'
  | 'member.removed'
  | 'member.left'
  | 'member.role_changed'
  | 'invite.created'
  | 'invite.revoked'
  | 'apikey.created'
  | 'apikey.revoked'
  | 'signin.failed'
  | 'signin.throttled'
  | 'model.alias_promoted'
  | 'model.alias_rolled_back'
  | 'model.canary_set'
  | 'model.canary_cleared'
  | 'model.alias_deleted'
  | 'model.promotion_refused'
  | 'org.webhook_set'
  | 'org.webhook_removed'
  | 'org.webhook_tested'
  | 'model.drift_settings'
  | 'model.uploaded'
  | 'model.canary_auto_rolled_back'
  | 'model.shadow_set'
  | 'model.outcome_policy_set'
  | 'sso.mapping_set'
  | 'sso.mapping_removed';

export interface AuditEntry {
  orgId: string | null;
  action: AuditAction;
  actor?: { userId?: string; apiKeyId?: string; label?: string };
  target?: { type: string; id: string };
  data?: Prisma.InputJsonValue;
  ip?: string | null;
}

type Tx = Pick<PrismaClient, 'auditLog'>;

/** Who an org procedure acts as: the org, the caller (user or API key) and the request's address. */
export interface Acting {
  orgId: string;
  actor?: AuditEntry['actor'];
  ip?: string | null;
}

/** Audits what an org procedure's caller did, with the org, actor and address taken from `who`. */
export function auditAs(db: Tx, who: Acting, entry: Omit<AuditEntry, 'orgId' | 'actor' | 'ip'>): Promise<void> {
  return audit(db, { ...entry, orgId: who.orgId, actor: who.actor, ip: who.ip });
}

export async function audit(db: Tx, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      orgId: entry.orgId,
      action: entry.action,
      actorUserId: entry.actor?.userId ?? null,
      actorApiKeyId: entry.actor?.apiKeyId ?? null,
      actorLabel: entry.actor?.label ?? null,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ...(entry.data !== undefined ? { data: entry.data } : {}),
      ip: entry.ip ?? null,
    },
  });
  log.info({ orgId: entry.orgId, action: entry.action, target: entry.target }, 'audit');
}
