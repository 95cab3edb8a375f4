import { describe, expect, it } from 'vitest';
import { guideSteps, type GuideFacts } from '~/server/onboarding/guide';

const none: GuideFacts = { scenarios: 0, finishedRuns: 0, datasetVersions: 0, modelVersions: 0, aliases: 0, alerts: 0 };

describe('first-use guide', () => {
  it('a new org has nothing ticked and starts at the scenario form', () => {
    const g = guideSteps('acme', none);
    expect(g.steps.map((s) => s.id)).toEqual(['scenario', 'run', 'dataset', 'train', 'deploy', 'alerts']);
    expect(g.steps.every((s) => !s.done)).toBe(true);
    expect(g.next).toBe('scenario');
    expect(g.steps[0]!.href).toBe('/acme/scenarios/new');
  });

  it('ticks each step from its own rows, and the next is the first one left', () => {
    const g = guideSteps('acme', { ...none, scenarios: 2, finishedRuns: 1, modelVersions: 1 });
    expect(g.steps.filter((s) => s.done).map((s) => s.id)).toEqual(['scenario', 'run', 'train']);
    expect(g.next).toBe('dataset');
    expect(g.steps.find((s) => s.id === 'dataset')!.href).toBe('/acme/datasets/new');
    // A done step links to where its results are, not to the form again.
    expect(g.steps[0]!.href).toBe('/acme/scenarios');
  });

  it('is complete only with an alert seen', () => {
    const all = { scenarios: 1, finishedRuns: 1, datasetVersions: 1, modelVersions: 1, aliases: 1, alerts: 0 };
    expect(guideSteps('acme', all).next).toBe('alerts');
    expect(guideSteps('acme', { ...all, alerts: 3 }).next).toBeNull();
  });
});
