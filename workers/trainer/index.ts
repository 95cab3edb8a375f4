/**
 * Public surface of the ML core for the trainer worker: datasets, training, evaluation, export.
 * The worker owns queues, persistence and progress streaming; nothing here touches I/O beyond
 * reading a dataset file.
 */
export { selectBackend, type BackendChoice, type BackendName } from './backend';
export {
  cmapssDir,
  cmapssRulDataset,
  parseCmapss,
  readCmapssFile,
  rulLabels,
  DEFAULT_RUL_CAP,
  type CmapssRulDataset,
  type CmapssRulOptions,
} from './datasets/cmapss';
export { datasetFingerprint, type FingerprintInput } from './datasets/fingerprint';
export { splitByGroup, type GroupSplit, type GroupSplitOptions } from './datasets/group-split';
export { matrixFromRows, selectRows, selectWindows, type Matrix, type Windows } from './datasets/types';
export { exponentialSmoothing } from './datasets/smoothing';
export { slidingWindows, type SlidingWindowOptions, type WindowedDataset } from './datasets/windows';
export * from './metrics';
export { trainAutoencoder, type AutoencoderHyperparameters } from './models/autoencoder';
export { trainCnnRegressor, type CnnHyperparameters } from './models/cnn-regressor';
export { balancedClassWeights, trainMlpClassifier, type ClassWeighting } from './models/mlp-classifier';
export type { MlpHyperparameters } from './models/mlp';
export { trainMlpRegressor } from './models/mlp-regressor';
export { predict, predictedClasses, type Predictions } from './models/predict';
export type { ModelKind, TrainedModel } from './models/types';
export { exportOnnx, type OnnxExport, type OnnxSidecar } from './onnx/export';
export { fitMinMaxScaler, fitStandardiser, standardise, type Standardiser } from './normalisation';
export { RUL_CNN_DEFAULTS, type RulCnnDefaults } from './presets';
export { fitWithEarlyStopping, type EpochReport, type FitOptions, type TrainingSummary } from './training';
