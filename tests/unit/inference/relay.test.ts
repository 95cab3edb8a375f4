import { describe, expect, it } from 'vitest';
import type { AlertMessage, PredictionMessage } from '~/server/contracts/predictions';
import { RelayBuffer } from '~/server/realtime/relay-buffer';

const prediction = (runId: string, t: number): PredictionMessage => ({
  v: 1,
  orgId: 'o1',
  runId,
  vehicleId: 'ego',
  windowStart: t,
  windowEnd: t + 1,
  modelId: 'm',
  modelName: 'wear',
  modelVersionId: 'mv',
  modelVersion: 1,
  alias: 'production',
  score: 0.1 * t,
  label: 'normal',
  threshold: 1,
  latencyMs: 3,
  at: 1,
});
const alert = (runId: string): AlertMessage => ({
  v: 1,
  id: `a-${runId}`,
  orgId: 'o1',
  runId,
  vehicleId: 'ego',
  modelId: 'm',
  modelName: 'wear',
  modelVersionId: 'mv',
  alias: 'production',
  windowStart: 4,
  windowEnd: 5,
  score: 3,
  threshold: 1,
  k: 3,
  n: 5,
  at: 1,
});

describe('live relay of predictions and alerts', () => {
  it('sends predictions to the run room and alerts to the run and org rooms', () => {
    const buf = new RelayBuffer({ rateHz: 10, maxFramesPerRoom: 3 });
    for (let t = 0; t < 5; t++) buf.offerPrediction(prediction('r1', t));
    buf.offerAlert(alert('r1'));
    buf.offerPrediction(prediction('unwatched', 0), (room) => room !== 'run:unwatched');
    const out = buf.flush();
    expect([...out.keys()].sort()).toEqual(['org:o1', 'run:r1']);
    // Bounded per room: the oldest go first.
    expect(out.get('run:r1')!.predictions.map((p) => p.windowStart)).toEqual([2, 3, 4]);
    expect(out.get('run:r1')!.alerts.map((a) => a.id)).toEqual(['a-r1']);
    expect(out.get('org:o1')!).toMatchObject({ predictions: [], alerts: [{ id: 'a-r1' }], frames: [] });
    expect(buf.flush().size).toBe(0);
  });
});
