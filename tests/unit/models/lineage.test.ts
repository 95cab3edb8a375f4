import { describe, expect, it } from 'vitest';
import { buildLineage, mainMetric } from '~/server/models/lineage';
import { readOnnxMetadata } from '~/server/models/onnx-metadata';
import { DEMO_FEATURES, syntheticRows } from '~/scripts/demo-model';
import { selectBackend } from '~/workers/trainer/backend';
import { trainAutoencoder } from '~/workers/trainer/models/autoencoder';
import { exportOnnx } from '~/workers/trainer/onnx/export';

describe('ONNX metadata_props reader', () => {
  it('reads what exportOnnx wrote, beside the graph, without decoding the graph', async () => {
    await selectBackend();
    const trained = await trainAutoencoder({
      train: syntheticRows(1, 120, 0).x,
      validation: syntheticRows(2, 60, 0).x,
      featureNames: DEMO_FEATURES,
      fit: { epochs: 1, batchSize: 32 },
    });
    const { bytes } = exportOnnx(trained, {
      metadata: { 'drivelab.dataset_fingerprint': 'sha256:abc', 'drivelab.run_id': 'run-42' },
    });
    trained.model.dispose();
    const meta = readOnnxMetadata(bytes);
    expect(meta['drivelab.kind']).toBe('autoencoder');
    expect(JSON.parse(meta['drivelab.feature_names']!)).toEqual(DEMO_FEATURES);
    expect(meta['drivelab.dataset_fingerprint']).toBe('sha256:abc');
    expect(JSON.parse(meta['drivelab.sidecar']!)).toMatchObject({ kind: 'autoencoder', featureNames: DEMO_FEATURES });
    // Truncated files are an error, not a hang or a half-read answer.
    expect(() => readOnnxMetadata(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(readOnnxMetadata(new Uint8Array())).toEqual({});
    // Arbitrary bytes either parse or throw; none loops or reads out of bounds.
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      try {
        expect(typeof readOnnxMetadata(junk)).toBe('object');
      } catch (err) {
        expect((err as Error).message).toMatch(/truncated|varint|wire type/);
      }
    }
  });
});

describe('lineage', () => {
  it('collects dataset facts from the sidecar and ONNX metadata, and names the experiment run', () => {
    const sidecar = {
      format: 'drivelab.onnx-sidecar.v1',
      kind: 'autoencoder',
      featureNames: ['a'],
      dataset: { name: 'fd001', fingerprint: 'f00d', split: { by: 'unit' } },
      jobId: 'job-1',
    };
    const meta = {
      'drivelab.kind': 'autoencoder',
      'drivelab.sidecar': '{}',
      'drivelab.dataset_version': '3',
      'drivelab.experiment_run_id': 'er-9',
    };
    const l = buildLineage(null, sidecar, meta);
    expect(l.experimentRunId).toBe('er-9');
    expect(l.dataset).toEqual([
      { key: 'dataset.name', value: 'fd001', source: 'sidecar' },
      { key: 'dataset.fingerprint', value: 'f00d', source: 'sidecar' },
      { key: 'dataset.split.by', value: 'unit', source: 'sidecar' },
      { key: 'drivelab.dataset_version', value: '3', source: 'onnx' },
    ]);
    expect(l.other).toEqual([
      { key: 'jobId', value: 'job-1', source: 'sidecar' },
      { key: 'drivelab.experiment_run_id', value: 'er-9', source: 'onnx' },
    ]);
    // One fact written to both the sidecar and the ONNX metadata shows once.
    expect(
      buildLineage(null, { dataset: { fingerprint: 'f00d' } }, { 'drivelab.dataset_fingerprint': 'f00d' }).dataset,
    ).toEqual([{ key: 'dataset.fingerprint', value: 'f00d', source: 'sidecar' }]);
    // The row's own run id wins over metadata.
    expect(buildLineage('row-run', sidecar, meta).experimentRunId).toBe('row-run');
    expect(buildLineage(null, null, {})).toEqual({ experimentRunId: null, dataset: [], other: [] });
  });

  it('picks the metric a model is judged by from its kind', () => {
    expect(mainMetric('autoencoder', ['val_loss', 'f1', 'precision'])).toBe('f1');
    expect(mainMetric('cnn-regressor', ['mae', 'rmse'])).toBe('rmse');
    expect(mainMetric('mlp-classifier', ['roc_auc', 'loss'])).toBe('roc_auc');
    expect(mainMetric('mlp-regressor', ['zeta', 'alpha'])).toBe('alpha');
    expect(mainMetric('autoencoder', [])).toBeNull();
  });
});
