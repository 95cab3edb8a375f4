import { describe, expect, it } from 'vitest';
import { planRollback, targetStack, type AliasEventLike } from '~/server/models/alias-history';
import { aliasMoveMinRole } from '~/server/models/aliases';

const promote = (to: string, from: string | null = null): AliasEventLike => ({
  action: 'promote',
  fromVersionId: from,
  toVersionId: to,
});
const rollback = (from: string, to: string): AliasEventLike => ({
  action: 'rollback',
  fromVersionId: from,
  toVersionId: to,
});
const canary = (main: string): AliasEventLike => ({ action: 'canary', fromVersionId: main, toVersionId: main });
const del = (from: string): AliasEventLike => ({ action: 'delete', fromVersionId: from, toVersionId: null });

describe('rollback from the alias history', () => {
  it('goes to the target before the current one', () => {
    const events = [promote('v1'), promote('v2', 'v1'), promote('v3', 'v2')];
    expect(targetStack(events)).toEqual(['v1', 'v2', 'v3']);
    expect(planRollback(events, 'v3')).toEqual({ ok: true, toVersionId: 'v2' });
  });

  it('a second rollback goes further back instead of returning to the version just left', () => {
    const events = [promote('v1'), promote('v2', 'v1'), promote('v3', 'v2'), rollback('v3', 'v2')];
    expect(planRollback(events, 'v2')).toEqual({ ok: true, toVersionId: 'v1' });
    expect(planRollback([...events, rollback('v2', 'v1')], 'v1')).toEqual({
      ok: false,
      reason: 'the alias has no earlier target to roll back to',
    });
  });

  it('canary moves do not count as targets', () => {
    const events = [promote('v1'), canary('v1'), promote('v2', 'v1'), canary('v2')];
    expect(planRollback(events, 'v2')).toEqual({ ok: true, toVersionId: 'v1' });
  });

  it('a deleted alias starts a new history', () => {
    const events = [promote('v1'), promote('v2', 'v1'), del('v2'), promote('v3')];
    expect(planRollback(events, 'v3')).toEqual({
      ok: false,
      reason: 'the alias has no earlier target to roll back to',
    });
    expect(planRollback([...events, promote('v4', 'v3')], 'v4')).toEqual({ ok: true, toVersionId: 'v3' });
  });

  it('re-promoting a version that was rolled back, then rolling back, returns to the one before it', () => {
    const events = [promote('v1'), promote('v2', 'v1'), rollback('v2', 'v1'), promote('v2', 'v1')];
    expect(planRollback(events, 'v2')).toEqual({ ok: true, toVersionId: 'v1' });
  });

  it('the alias row wins when the history disagrees with it, and a missing alias cannot roll back', () => {
    expect(planRollback([promote('v1'), promote('v2', 'v1')], 'v5')).toEqual({ ok: true, toVersionId: 'v2' });
    expect(planRollback([], null)).toMatchObject({ ok: false });
    expect(planRollback([promote('v1')], 'v1')).toMatchObject({ ok: false });
  });
});

describe('who may move which alias', () => {
  it('engineers move staging and their own names; production and canaries need an admin', () => {
    expect(aliasMoveMinRole({ action: 'promote', alias: 'staging' })).toBe('engineer');
    expect(aliasMoveMinRole({ action: 'rollback', alias: 'shadow-eval' })).toBe('engineer');
    expect(aliasMoveMinRole({ action: 'promote', alias: 'production' })).toBe('admin');
    expect(aliasMoveMinRole({ action: 'rollback', alias: 'production' })).toBe('admin');
    expect(aliasMoveMinRole({ action: 'delete', alias: 'production' })).toBe('admin');
    expect(aliasMoveMinRole({ action: 'canary', alias: 'staging' })).toBe('admin');
    expect(aliasMoveMinRole({ action: 'canary_clear', alias: 'staging' })).toBe('admin');
  });
});
