import { describe, expect, it } from 'vitest';
import { throughput, type PipelineSnapshot } from '~/server/kafka/pipeline';

const snap = (at: number, telemetry: number, events: number): PipelineSnapshot => ({
  at,
  topics: [
    { name: 'dl.telemetry', endOffset: telemetry },
    { name: 'dl.events', endOffset: events },
  ],
  groups: [],
});

describe('pipeline throughput', () => {
  it('is the offset growth per second between snapshots', () => {
    expect(throughput(snap(1000, 500, 10), snap(3000, 8500, 14))).toEqual({ 'dl.telemetry': 4000, 'dl.events': 2 });
  });
  it('is empty for snapshots out of order or at the same instant', () => {
    expect(throughput(snap(3000, 1, 1), snap(3000, 9, 9))).toEqual({});
  });
});
