import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '~/workers/trainer/backend';
import { conv2dFilterGrad, conv2dInputGradStride1 } from '~/workers/trainer/conv-filter-grad';
import { maxAbsDiff } from './helpers';

describe('backend selection', () => {
  it('falls back to WASM here (no tfjs-node, no WebGPU) and records why each candidate was skipped', async () => {
    const choice = await selectBackend();
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.map((a) => [a.candidate, a.ok])).toEqual([
      ['@tensorflow/tfjs-node-gpu', false],
      ['@tensorflow/tfjs-node', false],
      ['webgpu', false],
      ['wasm', true],
    ]);
    for (const a of choice.attempts.filter((x) => !x.ok)) expect(a.reason).toBeTruthy();
    // Same promise for the same options: the backend is chosen once per process.
    expect(await selectBackend()).toBe(choice);
  });

  it('trains a Conv1D layer on WASM, whose Conv2DBackpropFilter kernel is missing', async () => {
    await selectBackend();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const model = tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [8, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const x = tf.randomNormal([32, 8, 2], 0, 1, 'float32', 1);
    const y = x.sum([1, 2]).reshape([32, 1]);
    const before = (model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
    // tfjs does not export its ModelLoggingVerbosity enum; 0 is its SILENT.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
    const after = (model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
    expect(after).toBeLessThan(before * 0.5);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('computes the same filter gradient as the CPU kernel (valid/same padding, strides)', async () => {
    await selectBackend();
    const x = tf.randomNormal<tf.Rank.R4>([3, 1, 11, 4], 0, 1, 'float32', 2);
    // Output gradient shape (NHWC), strides and padding of each convolution compared.
    const cases: { dy: [number, number, number, number]; strides: [number, number]; pad: 'valid' | 'same' }[] = [
      { dy: [3, 1, 5, 5], strides: [1, 2], pad: 'valid' },
      { dy: [3, 1, 11, 5], strides: [1, 1], pad: 'same' },
      { dy: [3, 1, 9, 5], strides: [1, 1], pad: 'valid' },
      { dy: [3, 1, 6, 5], strides: [1, 2], pad: 'same' },
    ];
    const mine = cases.map((c, i) => {
      const dy = tf.randomNormal<tf.Rank.R4>(c.dy, 0, 1, 'float32', 10 + i);
      return { dy, grad: conv2dFilterGrad(x, dy, [1, 3, 4, 5], c.strides, c.pad).dataSync().slice() };
    });
    await tf.setBackend('cpu');
    try {
      cases.forEach((c, i) => {
        const ref = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy: mine[i]!.dy }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          filterShape: [1, 3, 4, 5],
        } as unknown as tf.NamedAttrMap);
        expect(maxAbsDiff(mine[i]!.grad, ref.dataSync())).toBeLessThan(1e-4);
      });
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('computes the same stride-1 input gradient as the CPU kernel (valid/same, odd and even kernels)', async () => {
    await selectBackend();
    const cases = [
      { k: 3, pad: 'same' as const },
      { k: 4, pad: 'same' as const },
      { k: 10, pad: 'same' as const },
      { k: 3, pad: 'valid' as const },
    ];
    const inShape: [number, number, number, number] = [3, 1, 12, 4];
    const mine = cases.map((c, i) => {
      const filter = tf.randomNormal<tf.Rank.R4>([1, c.k, 4, 5], 0, 1, 'float32', 20 + i);
      const outW = c.pad === 'same' ? 12 : 12 - c.k + 1;
      const dy = tf.randomNormal<tf.Rank.R4>([3, 1, outW, 5], 0, 1, 'float32', 30 + i);
      return { filter, dy, grad: conv2dInputGradStride1(dy, filter, inShape, c.pad).dataSync().slice() };
    });
    await tf.setBackend('cpu');
    try {
      cases.forEach((c, i) => {
        const ref = tf
          .engine()
          .runKernel<tf.Tensor>('Conv2DBackpropInput', { dy: mine[i]!.dy, filter: mine[i]!.filter }, {
            strides: [1, 1],
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: undefined,
            inputShape: inShape,
          } as unknown as tf.NamedAttrMap);
        expect(ref.shape).toEqual(inShape);
        expect(maxAbsDiff(mine[i]!.grad, ref.dataSync())).toBeLessThan(1e-4);
      });
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
