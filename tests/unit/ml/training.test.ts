import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '~/workers/trainer/backend';
import { fitWithEarlyStopping, type EpochReport } from '~/workers/trainer/training';

beforeAll(async () => {
  await selectBackend();
});

function tinyModel(): tf.Sequential {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), tf.layers.dense({ units: 1 })],
  });
  m.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
  return m;
}

describe('training loop', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    // Pure-noise targets: the model can only overfit, so validation loss stops improving early.
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = tf.randomNormal([64, 1], 0, 1, 'float32', 2);
    const vx = tf.randomNormal([64, 4], 0, 1, 'float32', 3);
    const vy = tf.randomNormal([64, 1], 0, 1, 'float32', 4);
    const model = tinyModel();
    const reports: EpochReport[] = [];
    const summary = await fitWithEarlyStopping(
      model,
      x,
      y,
      { x: vx, y: vy },
      {
        epochs: 200,
        batchSize: 16,
        patience: 3,
        onEpoch: (r) => void reports.push(r),
      },
    );
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.epochsRun).toBe(summary.bestEpoch + 3);
    expect(summary.epochsRun).toBeLessThan(200);
    const bestReported = Math.min(...reports.map((r) => r.valLoss!));
    expect(summary.bestValLoss).toBeCloseTo(bestReported, 6);
    // The model now holds the best epoch's weights, not the last epoch's.
    const restored = (model.evaluate(vx, vy, { batchSize: 64 }) as tf.Scalar).dataSync()[0]!;
    expect(restored).toBeCloseTo(bestReported, 4);
    expect(restored).toBeLessThan(reports.at(-1)!.valLoss!);
    tf.dispose([x, y, vx, vy]);
  });

  it('reports epoch, losses, elapsed time and a shrinking ETA', async () => {
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 5);
    const y = x.sum(1, true);
    const reports: EpochReport[] = [];
    const summary = await fitWithEarlyStopping(
      tinyModel(),
      x,
      y,
      { x, y },
      { epochs: 5, batchSize: 16, patience: 10, onEpoch: (r) => void reports.push(r) },
    );
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const r of reports) {
      expect(r.maxEpochs).toBe(5);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(Number.isFinite(r.valLoss!)).toBe(true);
      expect(r.elapsedMs).toBeGreaterThan(0);
    }
    expect(reports.at(-1)!.etaMs).toBe(0);
    expect(reports[0]!.etaMs).toBeGreaterThan(reports[3]!.etaMs);
    expect(reports.at(-1)!.loss).toBeLessThan(reports[0]!.loss);
    expect(summary.stoppedEarly).toBe(false);
    tf.dispose([x, y]);
  });

  it('stops when cancelled', async () => {
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 6);
    const y = x.sum(1, true);
    const controller = new AbortController();
    const summary = await fitWithEarlyStopping(tinyModel(), x, y, null, {
      epochs: 100,
      batchSize: 16,
      signal: controller.signal,
      onEpoch: (r) => {
        if (r.epoch === 2) controller.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.epochsRun).toBe(2);
    expect(summary.bestValLoss).toBeNull();
    tf.dispose([x, y]);
  });
});
