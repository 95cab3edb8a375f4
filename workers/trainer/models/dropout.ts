import * as tf from '@tensorflow/tfjs';

/**
 * A Dropout layer that is reproducible from a seed and still draws a fresh mask every step.
 *
 * tfjs 4.22's Dropout passes its `seed` straight to randomUniform, which reseeds its generator on
 * every call: a seeded tf.layers.dropout drops the SAME units at every training step. The dropped
 * units then never train, yet at inference (no dropout) they contribute their random initial
 * weights. Here the seed advances per training call instead. The layer's config carries no seed, so
 * a saved model reloads as a plain Dropout, which is the identity at inference either way; the ONNX
 * exporter skips it like any Dropout.
 */
export function seededDropout(rate: number, seed: number): tf.layers.Layer {
  const layer = tf.layers.dropout({ rate });
  const identity = layer.call.bind(layer);
  let step = 0;
  layer.call = (inputs, kwargs) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- tfjs calls layers without kwargs
    if (!kwargs?.training || rate <= 0 || rate >= 1) return identity(inputs, kwargs);
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.dropout(x, rate, undefined, `${seed}:${step++}`);
    });
  };
  return layer;
}
