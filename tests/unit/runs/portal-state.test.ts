import { describe, expect, it } from 'vitest';
import { scoredKpis, type RunKpis } from '~/server/contracts/run-status';
import { expectedStartInMs } from '~/server/training/queue-place';

const kpis: RunKpis = {
  collisions: { vehicle: 0, pedestrian: 0, total: 0 },
  infractions: { redLight: 0, laneInvasion: 0, hardBrake: 1, nearMiss: 0, total: 1 },
  routeCompletion: 0.4,
  minTtc: 2.5,
  infractionPenalty: 0.9,
  drivingScore: 0.36,
  distanceM: 800,
  meanSpeed: 20,
  fleet: { collisions: 0, nearMisses: 0, hardBrakes: 2 },
};

describe('what the portal shows of a run and a queued job', () => {
  it('scores only completed runs', () => {
    expect(scoredKpis('completed', kpis)?.drivingScore).toBe(0.36);
    for (const s of ['cancelled', 'failed', 'running', 'queued'] as const) expect(scoredKpis(s, kpis)).toBeNull();
    expect(scoredKpis('completed', null)).toBeNull();
  });

  it('expects a queued job to start when the soonest running job ends, plus a median job per job ahead', () => {
    const history = [60_000, 120_000, 90_000];
    expect(expectedStartInMs({ position: 1, runningEtasMs: [30_000, 10_000], recentDurationsMs: history })).toBe(
      10_000,
    );
    expect(expectedStartInMs({ position: 3, runningEtasMs: [10_000], recentDurationsMs: history })).toBe(
      10_000 + 2 * 90_000,
    );
    // Nothing running: the next job starts at once; later ones wait median jobs.
    expect(expectedStartInMs({ position: 1, runningEtasMs: [], recentDurationsMs: [] })).toBe(0);
    expect(expectedStartInMs({ position: 2, runningEtasMs: [], recentDurationsMs: history })).toBe(90_000);
    // No history and nothing to go by: no estimate rather than a made-up one.
    expect(expectedStartInMs({ position: 2, runningEtasMs: [], recentDurationsMs: [] })).toBeNull();
    expect(expectedStartInMs({ position: 1, runningEtasMs: [null], recentDurationsMs: [] })).toBeNull();
  });
});
