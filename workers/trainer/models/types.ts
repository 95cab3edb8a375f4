import type * as tf from '@tensorflow/tfjs';
import type { Standardiser } from '../normalisation';
import type { FitOptions, TrainingSummary } from '../training';

/** 1D-CNN over sliding windows [steps, features], e.g. remaining useful life from sensor history. */
export interface CnnHyperparameters {
  filters?: number[];
  /** One size for every conv layer, or one per layer. */
  kernelSize?: number | number[];
  activation?: 'relu' | 'tanh';
  /** 'flatten' keeps where in the window a pattern occurs (the trend matters for RUL). */
  head?: 'flatten' | 'global-average';
  dense?: number[];
  dropout?: number;
  learningRate?: number;
  /**
   * Input scaling fitted on the training windows: 'standard' (z-score) or 'minmax' (to [-1, 1]).
   * Either is stored as the model's normalisation and applied inside the ONNX graph.
   */
  scaling?: 'standard' | 'minmax';
  seed?: number;
}

export type ModelKind = 'autoencoder' | 'mlp-classifier' | 'mlp-regressor' | 'cnn-regressor';

/** The model is trained on (y - mean) / std; predictions are mapped back, in tfjs and in ONNX. */
export interface TargetScaling {
  mean: number;
  std: number;
}

/**
 * What a regressor trains on: a split of inputs X (rows for the MLP, windows for the CNN) with
 * one target per input, the same fields whatever the architecture.
 */
export interface RegressorInput<X, H> {
  train: X;
  trainTargets: ArrayLike<number>;
  validation: X;
  validationTargets: ArrayLike<number>;
  featureNames: string[];
  targetName: string;
  hyperparameters?: H;
  fit?: Partial<FitOptions>;
}

interface TrainedBase {
  kind: ModelKind;
  model: tf.LayersModel;
  featureNames: string[];
  /** Input standardisation, fitted on the training split. */
  normalisation: Standardiser;
  hyperparameters: Record<string, unknown>;
  training: TrainingSummary;
}

export interface TrainedAutoencoder extends TrainedBase {
  kind: 'autoencoder';
  /** Rows whose mean squared reconstruction error exceeds this are anomalies. */
  threshold: number;
  thresholdPercentile: number;
}

export interface TrainedClassifier extends TrainedBase {
  kind: 'mlp-classifier';
  classes: string[];
  /** Binary models have one sigmoid output (probability of classes[1]); others softmax. */
  binary: boolean;
  classWeight: Record<number, number> | null;
}

export interface TrainedRegressor extends TrainedBase {
  kind: 'mlp-regressor';
  targetName: string;
  targetScaling: TargetScaling;
}

export interface TrainedSequenceRegressor extends TrainedBase {
  kind: 'cnn-regressor';
  targetName: string;
  targetScaling: TargetScaling;
  windowLength: number;
}

export type TrainedModel = TrainedAutoencoder | TrainedClassifier | TrainedRegressor | TrainedSequenceRegressor;
