import type { CmapssRulOptions } from './datasets/cmapss';
import type { SlidingWindowOptions } from './datasets/windows';
import type { CnnHyperparameters } from './models/types';
import type { FitOptions } from './training';
import { TRAINING_DEFAULTS } from '~/server/training/defaults';

const CNN = TRAINING_DEFAULTS['cnn-regressor'];

/**
 * Platform defaults for remaining-useful-life training on C-MAPSS-style run-to-failure files with
 * the 1D-CNN sequence regressor, measured on train_FD001 with scripts/bench/cmapss.ts (validation:
 * every window of 20% of the units, split by unit, seed 42). The trainer worker and the bench
 * both start from these; a training job's own parameters override them field by field.
 */
export interface RulCnnDefaults {
  /** Feature preparation: causal per-unit exponential smoothing of the sensors, cycle feature. */
  dataset: Required<Pick<CmapssRulOptions, 'smoothing' | 'includeCycle'>>;
  windowLength: number;
  windows: SlidingWindowOptions;
  validationFraction: number;
  splitSeed: number;
  hyperparameters: CnnHyperparameters;
  fit: Pick<FitOptions, 'epochs' | 'batchSize' | 'patience' | 'learningRateDecay'>;
}

export const RUL_CNN_DEFAULTS: RulCnnDefaults = {
  dataset: { smoothing: CNN.smoothing, includeCycle: CNN.includeOrder },
  windowLength: CNN.windowLength,
  windows: { padShortGroups: true },
  validationFraction: 0.2,
  splitSeed: 42,
  // After Li, Ding and Sun (2018): four Conv1D layers of 10 filters (kernel 10), a one-filter conv,
  // Flatten, dropout and a dense layer, tanh throughout.
  hyperparameters: {
    filters: [10, 10, 10, 10, 1],
    kernelSize: [10, 10, 10, 10, 3],
    activation: 'tanh',
    head: 'flatten',
    dense: [100],
    dropout: 0.5,
    learningRate: CNN.learningRate,
    scaling: 'standard',
    seed: 42,
  },
  fit: {
    epochs: CNN.epochs,
    batchSize: CNN.batchSize,
    patience: CNN.patience,
    learningRateDecay: CNN.learningRateDecay,
  },
};
