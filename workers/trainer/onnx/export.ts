import type { TrainedModel } from '../models/types';
import { GraphBuilder, type ValueInfo } from './graph-builder';
import { exportLayers } from './layers';
import { encodeModel, TensorDataType } from './onnx-proto';

/**
 * ONNX export of every model kind from the trained tfjs weights. The graph takes raw feature
 * values: standardisation (Sub, Div) is its first step and target de-scaling its last, so serving
 * needs nothing but the model file. The same facts travel in metadata_props and in the sidecar.
 */
export const ONNX_OPSET = 13;
// IR version 7 is the one ONNX 1.8 paired with opset 13.
export const ONNX_IR_VERSION = 7;
export const INPUT_NAME = 'features';

export interface OnnxOutputInfo {
  name: string;
  dims: (number | string)[];
  type: 'float32' | 'bool';
  description: string;
}

export interface OnnxSidecar {
  format: 'drivelab.onnx-sidecar.v1';
  kind: TrainedModel['kind'];
  opset: number;
  input: { name: string; dims: (number | string)[]; description: string };
  outputs: OnnxOutputInfo[];
  featureNames: string[];
  normalisation: { mean: number[]; std: number[]; appliedInGraph: true };
  windowLength?: number;
  classes?: string[];
  threshold?: number;
  thresholdPercentile?: number;
  target?: { name: string; mean: number; std: number; appliedInGraph: true };
}

export interface OnnxExport {
  bytes: Uint8Array;
  sidecar: OnnxSidecar;
}

export interface OnnxExportOptions {
  producerVersion?: string;
  modelVersion?: number;
  /** Extra metadata_props, e.g. run id or dataset fingerprint. */
  metadata?: Record<string, string>;
}

export function exportOnnx(trained: TrainedModel, options: OnnxExportOptions = {}): OnnxExport {
  const g = new GraphBuilder();
  const features = trained.featureNames.length;
  const input = g.reserve(INPUT_NAME);
  const inputShape = trained.kind === 'cnn-regressor' ? [trained.windowLength, features] : [features];
  const inputDims: (number | string)[] = ['N', ...inputShape];

  const mean = g.floatConstant('norm_mean', trained.normalisation.mean, [features]);
  const std = g.floatConstant('norm_std', trained.normalisation.std, [features]);
  const standardised = g.node('Div', [g.node('Sub', [input, mean]), std], {}, 'standardised');
  const net = exportLayers(g, trained.model, standardised, inputShape);

  const outputs: OnnxOutputInfo[] = [];
  const sidecar: Omit<OnnxSidecar, 'outputs'> = {
    format: 'drivelab.onnx-sidecar.v1',
    kind: trained.kind,
    opset: ONNX_OPSET,
    input: {
      name: INPUT_NAME,
      dims: inputDims,
      description:
        trained.kind === 'cnn-regressor'
          ? 'raw feature values, windows of consecutive rows oldest first'
          : 'raw feature values, one row per sample',
    },
    featureNames: trained.featureNames,
    normalisation: { mean: trained.normalisation.mean, std: trained.normalisation.std, appliedInGraph: true },
  };

  switch (trained.kind) {
    case 'mlp-regressor':
    case 'cnn-regressor': {
      const s = trained.targetScaling;
      const scaled = g.node('Mul', [net.name, g.floatConstant('target_std', [s.std], [1])]);
      g.node('Add', [scaled, g.floatConstant('target_mean', [s.mean], [1])], {}, 'prediction');
      outputs.push({
        name: 'prediction',
        dims: ['N', 1],
        type: 'float32',
        description: `predicted ${trained.targetName}`,
      });
      sidecar.target = { name: trained.targetName, mean: s.mean, std: s.std, appliedInGraph: true };
      if (trained.kind === 'cnn-regressor') sidecar.windowLength = trained.windowLength;
      break;
    }
    case 'mlp-classifier': {
      g.node('Identity', [net.name], {}, 'probabilities');
      outputs.push({
        name: 'probabilities',
        dims: ['N', net.shape[0]!],
        type: 'float32',
        description: trained.binary
          ? `probability of '${trained.classes[1]}'`
          : `probability per class, in the order of classes`,
      });
      sidecar.classes = trained.classes;
      break;
    }
    case 'autoencoder': {
      g.node('Identity', [net.name], {}, 'reconstruction');
      const diff = g.node('Sub', [standardised, 'reconstruction']);
      const score = g.node('ReduceMean', [g.node('Mul', [diff, diff])], { axes: [1], keepdims: 1 }, 'score');
      g.node('Greater', [score, g.floatConstant('threshold', [trained.threshold], [1])], {}, 'is_anomaly');
      outputs.push(
        {
          name: 'reconstruction',
          dims: ['N', features],
          type: 'float32',
          description: 'reconstruction of the standardised input',
        },
        { name: 'score', dims: ['N', 1], type: 'float32', description: 'mean squared reconstruction error' },
        { name: 'is_anomaly', dims: ['N', 1], type: 'bool', description: 'score > threshold' },
      );
      sidecar.threshold = trained.threshold;
      sidecar.thresholdPercentile = trained.thresholdPercentile;
      break;
    }
  }
  const full: OnnxSidecar = { ...sidecar, outputs };

  const valueInfos = (list: OnnxOutputInfo[]): ValueInfo[] =>
    list.map((o) => ({
      name: o.name,
      elemType: o.type === 'bool' ? TensorDataType.BOOL : TensorDataType.FLOAT,
      dims: o.dims,
    }));
  const metadata: Record<string, string> = {
    'drivelab.kind': trained.kind,
    'drivelab.feature_names': JSON.stringify(trained.featureNames),
    'drivelab.normalisation': JSON.stringify({ mean: trained.normalisation.mean, std: trained.normalisation.std }),
    'drivelab.sidecar': JSON.stringify(full),
    ...options.metadata,
  };
  const bytes = encodeModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'drivelab-trainer',
    producer_version: options.producerVersion ?? '0.1.0',
    model_version: options.modelVersion ?? 1,
    doc_string: `DriveLab ${trained.kind}`,
    graph: g.graph(
      `drivelab_${trained.kind.replace(/-/g, '_')}`,
      [{ name: input, elemType: TensorDataType.FLOAT, dims: inputDims }],
      valueInfos(outputs),
    ),
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return { bytes, sidecar: full };
}
