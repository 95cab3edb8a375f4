import * as tf from '@tensorflow/tfjs';
import { shuffled } from '~/server/random';
import { tryWasm } from './backend';

/**
 * The training loop shared by every model kind: tfjs fit with early stopping that restores the
 * best weights (tfjs' own earlyStopping callback cannot), per-epoch progress for the portal and
 * cancellation.
 */

export interface EpochReport {
  /** 1-based. */
  epoch: number;
  maxEpochs: number;
  loss: number;
  valLoss: number | null;
  bestEpoch: number;
  elapsedMs: number;
  /**
   * Upper bound: average epoch time times the epochs left; early stopping may finish sooner.
   */
  etaMs: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Epochs without val-loss improvement before stopping; needs validation data. */
  patience: number;
  /** Improvement smaller than this does not reset patience. */
  minDelta?: number;
  shuffle?: boolean;
  /**
   * Seeds the per-epoch shuffle of the training rows, so a run is reproducible (tfjs' own shuffle
   * uses Math.random). Without it tfjs shuffles.
   */
  shuffleSeed?: number;
  /**
   * Learning rate of epoch e (0-based) is learningRate * learningRateDecay^e; needs an optimizer
   * with a `learningRate` field (Adam, SGD, RMSProp). 1 or absent keeps the rate constant.
   */
  learningRateDecay?: number;
  /** Lower bound for the decayed learning rate. */
  minLearningRate?: number;
  classWeight?: Record<number, number>;
  onEpoch?: (report: EpochReport) => void | Promise<void>;
  /** Aborting stops at the end of the current batch; the best weights so far are kept. */
  signal?: AbortSignal;
}

export interface TrainingSummary {
  epochsRun: number;
  bestEpoch: number;
  bestValLoss: number | null;
  stoppedEarly: boolean;
  cancelled: boolean;
  trainMs: number;
  history: EpochReport[];
}

export const DEFAULT_FIT: FitOptions = { epochs: 100, batchSize: 128, patience: 10, minDelta: 0, shuffle: true };

// Asynchronous reads: tfjs-backend-webgpu cannot read GPU memory synchronously in Node (its
// dataSync path needs OffscreenCanvas).
async function snapshot(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()).slice() as Float32Array));
}

/** The GPU backend a previous fit handed its results off from; the next fit resumes on it. */
let handedOffFrom: string | null = null;

/**
 * Everything after training (thresholds, evaluation, ONNX export) reads tensors synchronously,
 * which the WebGPU backend cannot do in Node. So after a fit on WebGPU the weights and the data are
 * read back once, asynchronously (tfjs keeps the values on the CPU side), and the rest runs on
 * WASM (or plain JS); the next fit goes back to WebGPU. The run still records WebGPU: it trained there.
 */
async function handOffAfterGpuFit(tensors: (tf.Tensor | undefined)[]): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  await Promise.all(tensors.map((t) => (t && !t.isDisposed ? t.data() : Promise.resolve(null))));
  handedOffFrom = 'webgpu';
  if (!(await tryWasm([]))) await tf.setBackend('cpu');
}

function restore(model: tf.LayersModel, weights: Float32Array[]): void {
  const current = model.getWeights();
  const tensors = weights.map((w, i) => tf.tensor(w, current[i]!.shape, 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

export async function fitWithEarlyStopping(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  validation: { x: tf.Tensor; y: tf.Tensor } | null,
  options: Partial<FitOptions> = {},
): Promise<TrainingSummary> {
  const o: FitOptions = { ...DEFAULT_FIT, ...options };
  if (handedOffFrom && tf.getBackend() !== handedOffFrom) await tf.setBackend(handedOffFrom);
  const started = performance.now();
  const history: EpochReport[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  let sinceBest = 0;
  let stoppedEarly = false;
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    model.stopTraining = true;
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  const optimizer = model.optimizer as (tf.Optimizer & { learningRate?: number }) | undefined;
  const baseLearningRate = optimizer?.learningRate;
  const decay = o.learningRateDecay ?? 1;
  const seeded = (o.shuffle ?? true) && o.shuffleSeed !== undefined;
  const rows = x.shape[0];
  let stop = false;

  const onEpochEnd = async (epochIndex: number, logs?: tf.Logs) => {
    const epoch = epochIndex + 1;
    const loss = Number(logs?.loss);
    const valLoss = validation ? Number(logs?.val_loss) : null;
    // Without validation data the training loss decides which weights are best.
    const monitored = valLoss ?? loss;
    if (monitored < best - (o.minDelta ?? 0)) {
      best = monitored;
      bestEpoch = epoch;
      bestWeights = await snapshot(model);
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    const elapsedMs = performance.now() - started;
    const report: EpochReport = {
      epoch,
      maxEpochs: o.epochs,
      loss,
      valLoss,
      bestEpoch,
      elapsedMs,
      etaMs: (elapsedMs / epoch) * (o.epochs - epoch),
    };
    history.push(report);
    if (validation && sinceBest >= o.patience) {
      stoppedEarly = true;
      stop = true;
    }
    if (!Number.isFinite(loss)) {
      // A diverged run cannot recover; keep the best weights and stop.
      stoppedEarly = true;
      stop = true;
    }
    await o.onEpoch?.(report);
  };

  try {
    // One fit call per epoch: the loop owns shuffling (seeded when asked) and the learning rate.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the epoch callback sets stop and cancelled
    for (let e = 0; e < o.epochs && !stop && !cancelled; e++) {
      if (optimizer && baseLearningRate !== undefined && decay !== 1) {
        optimizer.learningRate = Math.max(o.minLearningRate ?? 0, baseLearningRate * decay ** e);
      }
      let ex = x;
      let ey = y;
      if (seeded) {
        const order = tf.tensor1d(
          shuffled(
            Array.from({ length: rows }, (_, i) => i),
            o.shuffleSeed! + e,
          ),
          'int32',
        );
        ex = tf.gather(x, order);
        ey = tf.gather(y, order);
        order.dispose();
      }
      try {
        await model.fit(ex, ey, {
          epochs: e + 1,
          initialEpoch: e,
          batchSize: o.batchSize,
          shuffle: seeded ? false : (o.shuffle ?? true),
          validationData: validation ? [validation.x, validation.y] : undefined,
          classWeight: o.classWeight,
          // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export ModelLoggingVerbosity
          verbose: 0,
          callbacks: { onEpochEnd },
        });
      } finally {
        if (ex !== x) tf.dispose([ex, ey]);
      }
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (optimizer && baseLearningRate !== undefined) optimizer.learningRate = baseLearningRate;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the epoch callback sets bestWeights
  if (bestWeights) restore(model, bestWeights);
  const trainMs = performance.now() - started;
  await handOffAfterGpuFit([...model.getWeights(), x, y, validation?.x, validation?.y]);
  return {
    epochsRun: history.length,
    bestEpoch,
    bestValLoss: validation && Number.isFinite(best) ? best : null,
    stoppedEarly,
    cancelled,
    trainMs,
    history,
  };
}
