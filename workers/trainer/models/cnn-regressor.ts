import * as tf from '@tensorflow/tfjs';
import type { Windows } from '../datasets/types';
import { fitMinMaxScaler, fitStandardiser } from '../normalisation';
import { RUL_CNN_DEFAULTS } from '../presets';
import { fitWithEarlyStopping, type FitOptions } from '../training';
import { seededDropout } from './dropout';
import { fitTargetScaling } from './mlp-regressor';
import { assertFeatureCount, columnTensor, windowsTensor } from './tensors';
import type { CnnHyperparameters, RegressorInput, TrainedSequenceRegressor } from './types';

export type { CnnHyperparameters } from './types';

/**
 * Unset fields take the platform's RUL defaults (RUL_CNN_DEFAULTS, tuned on C-MAPSS FD001). Until
 * that tuning the defaults were three 32-filter relu convs (kernel 5), dense [64], dropout 0.2.
 */
export function resolveCnnHyperparameters(h: CnnHyperparameters = {}) {
  const d = RUL_CNN_DEFAULTS.hyperparameters;
  return {
    filters: h.filters ?? d.filters!,
    kernelSize: h.kernelSize ?? d.kernelSize!,
    activation: h.activation ?? d.activation!,
    head: h.head ?? d.head!,
    dense: h.dense ?? d.dense!,
    dropout: h.dropout ?? d.dropout!,
    learningRate: h.learningRate ?? d.learningRate!,
    scaling: h.scaling ?? d.scaling!,
    seed: h.seed ?? d.seed!,
  };
}

export function buildCnnRegressor(steps: number, features: number, h: CnnHyperparameters = {}): tf.Sequential {
  const p = resolveCnnHyperparameters(h);
  const model = tf.sequential();
  let seed = p.seed;
  p.filters.forEach((filters, i) => {
    model.add(
      tf.layers.conv1d({
        filters,
        kernelSize: Array.isArray(p.kernelSize) ? (p.kernelSize[i] ?? p.kernelSize.at(-1)!) : p.kernelSize,
        padding: 'same',
        activation: p.activation,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
        ...(i === 0 ? { inputShape: [steps, features] } : {}),
      }),
    );
  });
  model.add(p.head === 'flatten' ? tf.layers.flatten() : tf.layers.globalAveragePooling1d());
  for (const units of p.dense) {
    model.add(
      tf.layers.dense({
        units,
        activation: p.activation,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
      }),
    );
    if (p.dropout > 0) model.add(seededDropout(p.dropout, seed++));
  }
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: 'meanSquaredError' });
  return model;
}

export type SequenceRegressorTrainingInput = RegressorInput<Windows, CnnHyperparameters>;

export async function trainCnnRegressor(input: SequenceRegressorTrainingInput): Promise<TrainedSequenceRegressor> {
  assertFeatureCount(input.train.features, input.featureNames);
  const p = resolveCnnHyperparameters(input.hyperparameters);
  // Per-sensor statistics over every row of every training window.
  const normalisation =
    p.scaling === 'minmax'
      ? fitMinMaxScaler(input.train.values, input.train.features)
      : fitStandardiser(input.train.values, input.train.features);
  const targetScaling = fitTargetScaling(input.trainTargets);
  const model = buildCnnRegressor(input.train.steps, input.train.features, p);
  const x = windowsTensor(input.train, normalisation);
  const y = columnTensor(input.trainTargets, targetScaling);
  const vx = windowsTensor(input.validation, normalisation);
  const vy = columnTensor(input.validationTargets, targetScaling);
  try {
    // Shuffling is seeded from the model seed unless the caller says otherwise: reruns reproduce.
    const fit: Partial<FitOptions> = { ...RUL_CNN_DEFAULTS.fit, shuffleSeed: p.seed, ...input.fit };
    const training = await fitWithEarlyStopping(model, x, y, { x: vx, y: vy }, fit);
    return {
      kind: 'cnn-regressor',
      model,
      featureNames: input.featureNames,
      normalisation,
      // The fit options in effect (defaults included), without callbacks.
      hyperparameters: {
        ...p,
        fit: Object.fromEntries(
          Object.entries(fit).filter(([, v]) => typeof v !== 'function' && !(v instanceof AbortSignal)),
        ),
      },
      training,
      targetName: input.targetName,
      targetScaling,
      windowLength: input.train.steps,
    };
  } finally {
    tf.dispose([x, y, vx, vy]);
  }
}
