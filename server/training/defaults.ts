/**
 * The one table of training defaults per model kind: the start form shows it (training.defaults)
 * and the trainer worker applies it (workers/trainer/train-kind.ts, presets.ts and the models), so
 * what a user is shown is what a job without its own parameters gets.
 */
export const TRAINING_DEFAULTS = {
  autoencoder: {
    epochs: 60,
    batchSize: 64,
    patience: 8,
    learningRate: 0.001,
    thresholdPercentile: 99,
    activation: 'tanh',
  },
  'mlp-classifier': {
    epochs: 60,
    batchSize: 64,
    patience: 8,
    learningRate: 0.001,
    hidden: [64, 32],
    dropout: 0.1,
    classWeighting: 'balanced',
  },
  'mlp-regressor': { epochs: 60, batchSize: 64, patience: 8, learningRate: 0.001, hidden: [64, 32], dropout: 0.1 },
  'cnn-regressor': {
    epochs: 70,
    batchSize: 256,
    patience: 15,
    learningRate: 0.001,
    windowLength: 30,
    smoothing: 0.05,
    includeOrder: true,
    learningRateDecay: 0.95,
  },
} as const;
