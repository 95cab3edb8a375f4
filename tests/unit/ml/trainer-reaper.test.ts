import { describe, expect, it } from 'vitest';
import { heartbeatEveryMs, staleJobAction } from '~/workers/trainer/reaper';

type BossJob = Parameters<typeof staleJobAction>[1];

/** When a trainer counts as dead: the reaper's decision for one job row and its pg-boss job. */
describe('trainer reaper decisions', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const ago = (s: number) => new Date(now - s * 1000);
  const staleS = 600;
  const active = (startedS: number, retryCount = 0, retryLimit = 1) => ({
    state: 'active' as const,
    startedOn: ago(startedS),
    retryCount,
    retryLimit,
  });
  // A pg-boss job long past its one retry, in a state other than active.
  const settled = (state: NonNullable<BossJob>['state']) => ({
    state,
    startedOn: ago(4000),
    retryCount: 1,
    retryLimit: 1,
  });
  // The decision for a row in `state` whose last heartbeat is `heartbeatS` seconds old.
  const decide = (state: 'running' | 'queued' | 'completed', heartbeatS: number | null, boss: BossJob) =>
    staleJobAction({ state, heartbeatAt: heartbeatS === null ? null : ago(heartbeatS) }, boss, now, staleS);

  it('a trainer that went quiet for the stale window while its queue job is active is dead: retried, or failed on the last attempt', () => {
    expect(decide('running', 601, active(900, 0, 2))).toEqual({
      action: 'retry',
      retriesLeft: 1,
    });
    expect(decide('running', 601, active(900, 1, 2))).toEqual({
      action: 'retry',
      retriesLeft: 0,
    });
    expect(decide('running', 601, active(900, 2, 2))).toEqual({ action: 'fail' });
    expect(decide('running', 601, active(900, 0, 0))).toEqual({ action: 'fail' });
    // Took the queue job and died before claiming the row.
    expect(decide('queued', 3000, active(700))).toEqual({
      action: 'retry',
      retriesLeft: 0,
    });
  });

  it('a live trainer is left alone: fresh heartbeat, however long the epoch or the job has run', () => {
    expect(decide('running', 599, active(5000))).toEqual({ action: 'skip' });
    expect(decide('running', 0, active(86_400))).toEqual({ action: 'skip' });
  });

  it('an attempt that started within the stale window is not reaped, whatever an older heartbeat says', () => {
    // pg-boss retried the job (e.g. after expiry) and a trainer has just taken it; its claim is on the way.
    expect(decide('running', 4000, active(3))).toEqual({ action: 'skip' });
    expect(decide('queued', 4000, active(599))).toEqual({ action: 'skip' });
  });

  it('a job waiting on the queue is not a dead trainer', () => {
    for (const state of ['created', 'retry'] as const) {
      expect(decide('queued', 4000, settled(state))).toEqual({ action: 'skip' });
    }
  });

  it('a row left running or queued after its queue job ended is closed', () => {
    for (const state of ['completed', 'failed', 'cancelled'] as const) {
      expect(decide('running', 601, settled(state))).toEqual({ action: 'close' });
    }
    expect(decide('queued', 601, null)).toEqual({ action: 'close' });
    // Not before the stale window, and never a finished row.
    expect(decide('running', 10, null)).toEqual({ action: 'skip' });
    expect(decide('completed', 4000, null)).toEqual({ action: 'skip' });
    expect(decide('queued', null, null)).toEqual({ action: 'skip' });
  });

  it('heartbeats come at least four times per stale window, between every second and every minute', () => {
    expect(heartbeatEveryMs(10)).toBe(2500);
    expect(heartbeatEveryMs(600)).toBe(60_000);
    expect(heartbeatEveryMs(120)).toBe(30_000);
    expect(heartbeatEveryMs(2)).toBe(1000);
    for (const s of [10, 11, 60, 240, 600, 3600]) expect(heartbeatEveryMs(s) * 4).toBeLessThanOrEqual(s * 1000);
  });
});
