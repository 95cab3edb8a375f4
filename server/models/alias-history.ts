/**
 * An alias's targets over time, rebuilt from its ModelAliasEvent rows (oldest first). Pure, so
 * rollback semantics are tested without a database.
 *
 * The history is a stack: a promotion pushes its target, a rollback pops back to the one before,
 * a delete empties it. Rolling back twice after v1 → v2 → v3 therefore lands on v1, never back on
 * v3; a canary never changes the main target.
 */
export type AliasAction = 'promote' | 'rollback' | 'canary' | 'delete';

export interface AliasEventLike {
  action: string;
  fromVersionId: string | null;
  toVersionId: string | null;
}

export function targetStack(events: readonly AliasEventLike[]): string[] {
  const stack: string[] = [];
  for (const e of events) {
    switch (e.action) {
      case 'promote':
        if (e.toVersionId && stack[stack.length - 1] !== e.toVersionId) stack.push(e.toVersionId);
        break;
      case 'rollback':
        stack.pop();
        // A history that was cut short (rows older than the stack knows) still lands where the
        // rollback said it did.
        if (e.toVersionId && stack[stack.length - 1] !== e.toVersionId) stack.push(e.toVersionId);
        break;
      case 'delete':
        stack.length = 0;
        break;
      default:
        break;
    }
  }
  return stack;
}

export type RollbackPlan = { ok: true; toVersionId: string } | { ok: false; reason: string };

/**
 * Where a rollback of the alias goes: the target before the current one. `currentVersionId` is
 * the alias row's target now, which wins over the history if the two disagree.
 */
export function planRollback(events: readonly AliasEventLike[], currentVersionId: string | null): RollbackPlan {
  if (!currentVersionId) return { ok: false, reason: 'the alias does not exist, so there is nothing to roll back' };
  const stack = targetStack(events);
  if (stack[stack.length - 1] !== currentVersionId) stack.push(currentVersionId);
  // Skip entries equal to the current target (a promote → rollback → promote of the same version).
  for (let i = stack.length - 2; i >= 0; i--) {
    if (stack[i] !== currentVersionId) return { ok: true, toVersionId: stack[i]! };
  }
  return { ok: false, reason: 'the alias has no earlier target to roll back to' };
}
