import { beforeAll, describe, expect, it } from 'vitest';
import { uploadOptionsSchema } from '~/server/contracts/training';
import { parseUpload } from '~/server/training/upload-dataset';
import { selectBackend } from '~/workers/trainer/backend';
import { serialiseTfjs, loadTfjs } from '~/workers/trainer/artifacts';
import { exportOnnx } from '~/workers/trainer/onnx/export';
import { trainKind } from '~/workers/trainer/train-kind';
import { gaussian, maxAbsDiff, runOnnx } from './helpers';

/**
 * Every kind through the worker's own path (trainKind: split, imputation, training, evaluation) on
 * small uploaded tables, then ONNX export and the tfjs artifact round trip.
 */
function table(seed: number, label: (x: number, y: number, g: number) => string): string {
  const n = gaussian(seed);
  const lines = ['group,t,x,y,z,target'];
  for (let g = 0; g < 10; g++) {
    for (let t = 0; t < 40; t++) {
      const x = n();
      const y = n();
      // Some missing values: the worker imputes them from the training groups.
      lines.push(`g${g},${t},${x.toFixed(4)},${t % 17 === 3 ? '' : y.toFixed(4)},${n().toFixed(4)},${label(x, y, g)}`);
    }
  }
  return lines.join('\n');
}

const opts = (kind: 'binary' | 'multiclass' | 'regression' | 'none') =>
  uploadOptionsSchema.parse({
    name: 't',
    groupColumn: 'group',
    orderColumn: 't',
    featureColumns: ['x', 'y', 'z'],
    label: kind === 'none' ? { type: 'none' } : { type: 'column', column: 'target', kind },
  });

describe('model kinds through the worker path', () => {
  beforeAll(async () => {
    await selectBackend({ exclude: ['native', 'webgpu'] });
  });

  it('MLP regressor learns a linear target; its ONNX export agrees with tfjs', async () => {
    const { dataset } = parseUpload(
      table(1, (x, y) => (3 * x - 2 * y + 5).toFixed(4)),
      opts('regression'),
    );
    const r = await trainKind('mlp-regressor', dataset, { epochs: 60, patience: 10, learningRate: 0.01 }, {});
    expect(r.metrics.rmse).toBeLessThan(1.2);
    expect(r.split.evaluatedOn).toBe('validation');
    expect(r.preprocessing.imputation).toHaveLength(3);
    const onnx = exportOnnx(r.trained);
    const x = Float32Array.from([0.5, -1, 0.2, 1, 1, 1]);
    const out = await runOnnx(onnx.bytes, x, [2, 3]);
    const { predict } = await import('~/workers/trainer/models/predict');
    expect(
      maxAbsDiff(out.prediction!.data as Float32Array, predict(r.trained, { values: x, rows: 2, cols: 3 }).output),
    ).toBeLessThan(1e-4);
    const restored = await loadTfjs(await serialiseTfjs(r.trained.model));
    expect(restored.getWeights().length).toBe(r.trained.model.getWeights().length);
  }, 60_000);

  it('MLP classifier separates three classes, scored on held-out groups', async () => {
    const { dataset } = parseUpload(
      table(2, (x, y) => (x > 0.5 ? 'hot' : y > 0.5 ? 'wet' : 'normal')),
      opts('multiclass'),
    );
    expect(dataset.classes).toEqual(['normal', 'hot', 'wet']);
    const r = await trainKind('mlp-classifier', dataset, { epochs: 60, patience: 15, learningRate: 0.01 }, {});
    expect(r.split.evaluatedOn).toBe('test');
    expect(r.metrics.accuracy).toBeGreaterThan(0.85);
    expect(r.metrics.macroF1).toBeGreaterThan(0.75);
    expect(r.outputShape).toEqual([3]);
  }, 60_000);

  it('autoencoder on an unlabelled table: threshold from validation groups, share flagged near 1 - percentile', async () => {
    const { dataset } = parseUpload(
      table(3, () => '0'),
      opts('none'),
    );
    const epochs: number[] = [];
    const r = await trainKind(
      'autoencoder',
      dataset,
      { epochs: 20, patience: 20, thresholdPercentile: 95 },
      { onEpoch: (e) => void epochs.push(e.epoch) },
    );
    expect(epochs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(r.metrics.threshold).toBeGreaterThan(0);
    expect(r.metrics.flaggedShare).toBeLessThan(0.2);
  }, 60_000);

  it('stops at the next batch when its signal aborts', async () => {
    const { dataset } = parseUpload(
      table(4, (x) => (x > 0 ? '1' : '0')),
      opts('binary'),
    );
    const abort = new AbortController();
    const r = await trainKind(
      'mlp-classifier',
      dataset,
      { epochs: 500, patience: 500 },
      {
        signal: abort.signal,
        onEpoch: (e) => {
          if (e.epoch === 3) abort.abort();
        },
      },
    );
    expect(r.trained.training.cancelled).toBe(true);
    expect(r.trained.training.epochsRun).toBe(3);
  }, 60_000);
});
