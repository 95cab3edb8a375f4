import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '~/workers/trainer/backend';
import { cmapssRulDataset, parseCmapss } from '~/workers/trainer/datasets/cmapss';
import { exponentialSmoothing } from '~/workers/trainer/datasets/smoothing';
import { matrixFromRows } from '~/workers/trainer/datasets/types';
import { slidingWindows } from '~/workers/trainer/datasets/windows';
import { seededDropout } from '~/workers/trainer/models/dropout';
import { fitMinMaxScaler, standardise } from '~/workers/trainer/normalisation';
import { fitWithEarlyStopping } from '~/workers/trainer/training';

beforeAll(async () => {
  await selectBackend();
});

describe('sequence preprocessing', () => {
  it('smooths causally within each group, only the chosen columns', () => {
    // group a: rows 0,1,3 ; group b: rows 2,4
    const m = matrixFromRows([
      [0, 1],
      [10, 1],
      [100, 7],
      [20, 1],
      [200, 7],
    ]);
    const s = exponentialSmoothing(m, ['a', 'a', 'b', 'a', 'b'], 0.5, [0]);
    expect(Array.from(s.values)).toEqual([0, 1, 5, 1, 100, 7, 12.5, 1, 150, 7]);
    expect(Array.from(exponentialSmoothing(m, ['a', 'a', 'b', 'a', 'b'], 1).values)).toEqual(Array.from(m.values));
    expect(() => exponentialSmoothing(m, ['a', 'a', 'b', 'a', 'b'], 0)).toThrow(/alpha/);
  });

  it('adds a cycle feature and smooths only sensors in the C-MAPSS dataset', () => {
    const line = (unit: number, cycle: number, s2: number) =>
      [
        unit,
        cycle,
        '0',
        '0',
        '100',
        ...Array.from({ length: 21 }, (_, i) => (i === 1 ? s2 : i === 2 ? 1580 + cycle : 518.67)),
      ].join(' ');
    const data = parseCmapss([line(1, 1, 640), line(1, 2, 642), line(1, 3, 644)].join('\n'));
    const d = cmapssRulDataset(data, { smoothing: 0.5, includeCycle: true });
    expect(d.featureNames).toEqual(['sensor_2', 'sensor_3', 'cycle']);
    expect(Array.from(d.features.values)).toEqual([640, 1581, 1, 641, 1581.5, 2, 642.5, 1582.25, 3]);
  });

  it('pads a group shorter than the window at the front with its first row', () => {
    const m = matrixFromRows([[1], [2], [3], [4], [5]]);
    const groups = ['a', 'a', 'b', 'b', 'b'];
    expect(slidingWindows(m, [1, 0, 2, 1, 0], groups, 3).windows.count).toBe(1);
    const w = slidingWindows(m, [1, 0, 2, 1, 0], groups, 3, 1, { padShortGroups: true });
    expect(w.groups).toEqual(['a', 'b']);
    expect(Array.from(w.windows.values)).toEqual([1, 1, 2, 3, 4, 5]);
    expect(Array.from(w.labels)).toEqual([0, 0]);
  });

  it('min-max scales each feature to [-1, 1]', () => {
    const s = fitMinMaxScaler([0, 5, 10, 5, 4, 5], 2);
    expect(s).toEqual({ mean: [5, 5], std: [5, 1] });
    expect(Array.from(standardise([0, 5, 10, 5], s))).toEqual([-1, 0, 1, 0]);
  });
});

describe('reproducible training', () => {
  it('seeded dropout draws a new mask every training step and is the identity at inference', () => {
    const layer = seededDropout(0.5, 3);
    const x = tf.ones([1, 64]);
    const masks = [0, 1].map(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
    expect(masks[0]).not.toEqual(masks[1]);
    expect(new Set(masks[0])).toEqual(new Set([0, 2]));
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual(new Array(64).fill(1));
    // Same seed, same sequence of masks.
    const again = seededDropout(0.5, 3);
    expect(Array.from((again.apply(x, { training: true }) as tf.Tensor).dataSync())).toEqual(masks[0]);
    x.dispose();
  });

  it('a seeded shuffle with learning-rate decay gives identical runs', async () => {
    const run = async () => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [4],
            units: 8,
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          seededDropout(0.2, 5),
          tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const optimizer = tf.train.adam(0.05);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tf.randomNormal([96, 4], 0, 1, 'float32', 7);
      const y = x.sum(1, true);
      const lrs: number[] = [];
      const summary = await fitWithEarlyStopping(
        model,
        x,
        y,
        { x, y },
        {
          epochs: 4,
          batchSize: 16,
          patience: 10,
          shuffleSeed: 11,
          learningRateDecay: 0.5,
          onEpoch: () => void lrs.push((optimizer as unknown as { learningRate: number }).learningRate),
        },
      );
      tf.dispose([x, y]);
      return {
        losses: summary.history.map((h) => h.loss),
        lrs,
        after: (optimizer as unknown as { learningRate: number }).learningRate,
      };
    };
    const a = await run();
    const b = await run();
    expect(a.losses).toEqual(b.losses);
    expect(a.lrs).toEqual([0.05, 0.025, 0.0125, 0.00625]);
    expect(a.after).toBe(0.05);
  });
});
