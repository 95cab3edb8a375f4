import { describe, expect, it } from 'vitest';
import { lineageNodes, type LineageRecords } from '~/components/models/lineage-nodes';

const version = {
  id: 'v1',
  version: 3,
  kind: 'mlp-classifier',
  createdAt: '2026-01-31T10:00:00Z',
  featureCount: 12,
  threshold: null,
};

const full: LineageRecords = {
  run: { id: 'r1', name: 'mlp-classifier #3', experimentId: 'e1' },
  job: {
    id: 'j1',
    kind: 'mlp-classifier',
    state: 'completed',
    createdAt: '2026-01-31T09:00:00Z',
    finishedAt: '2026-01-31T09:05:00Z',
    backend: 'wasm',
    epoch: 40,
  },
  dataset: {
    id: 'd1',
    name: 'Vehicle temps',
    version: 2,
    rowCount: 4800,
    groupCount: 8,
    fingerprint: 'sha256:abc',
    labelKind: 'binary',
    createdAt: '2026-01-30T10:00:00Z',
  },
  aliases: [
    { name: 'production', canary: false, canaryWeight: 0, updatedAt: '2026-01-31T11:00:00Z' },
    { name: 'staging', canary: true, canaryWeight: 0.1, updatedAt: '2026-01-31T11:00:00Z' },
  ],
};

describe('lineage graph nodes', () => {
  it('runs dataset → job → version → one node per alias, linking to each page', () => {
    const cols = lineageNodes('acme', full, version);
    expect(cols.map((c) => c.map((n) => n.id))).toEqual([
      ['dataset'],
      ['job'],
      ['version'],
      ['alias:production', 'alias:staging'],
    ]);
    expect(cols[0]![0]).toMatchObject({ name: 'Vehicle temps v2', href: '/acme/datasets/d1' });
    expect(cols[1]![0]).toMatchObject({ name: 'MLP classifier', href: '/acme/training/j1' });
    expect(cols[1]![0]!.details.find((d) => d.label === 'Experiment run')?.href).toBe('/acme/experiments/e1?runs=r1');
    expect(cols[2]![0]!.name).toBe('v3');
    expect(cols[3]![1]!.name).toBe('staging (10%)');
    expect(cols[0]![0]!.details.find((d) => d.label === 'Rows')?.value).toBe('4,800');
  });

  it('an uploaded, undeployed version shows the missing steps as such', () => {
    const cols = lineageNodes('acme', { run: null, job: null, dataset: null, aliases: [] }, version);
    expect(
      cols
        .flat()
        .filter((n) => n.missing)
        .map((n) => n.name),
    ).toEqual(['Not recorded', 'Uploaded, not trained here', 'Not deployed']);
  });
});
