import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22 registers Conv2D and Conv2DBackpropInput but not Conv2DBackpropFilter,
 * so training any Conv1D/Conv2D layer on WASM throws. This wraps the registered Conv2D gradient:
 * when the active backend lacks the filter kernel, the filter gradient is computed from ops every
 * backend has (one strided slice and one matMul per kernel tap). Other backends keep the original.
 */

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | unknown;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Same-padding split of TensorFlow: the odd pixel goes after (bottom/right). */
function samePads(inSize: number, filter: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + filter - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * dW[i,j,ci,co] = sum over batch and output positions of x[b, oh*s+i, ow*s+j, ci] * dy[b, oh, ow, co]
 * for NHWC input and unit dilation.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same',
): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, cin, cout] = filterShape;
    const [sh, sw] = pair(strides);
    const [, inH, inW] = x.shape;
    const [batch, outH, outW] = dy.shape;
    let xp: tf.Tensor4D = x;
    if (pad === 'same') {
      xp = tf.pad(x, [[0, 0], samePads(inH, fh, sh), samePads(inW, fw, sw), [0, 0]]);
    }
    const dy2 = dy.reshape([batch * outH * outW, cout]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const patch = tf.stridedSlice(xp, [0, i, j, 0], [batch, i + (outH - 1) * sh + 1, j + (outW - 1) * sw + 1, cin], [1, sh, sw, 1]) as tf.Tensor4D;
        taps.push(tf.matMul(patch.reshape([batch * outH * outW, cin]), dy2, true, false));
      }
    }
    return tf.stack(taps).reshape([fh, fw, cin, cout]) as tf.Tensor4D;
  });
}

let installed = false;

export function installConvFilterGradFallback(): void {
  if (installed) return;
  const original = tf.getGradient('Conv2D');
  if (!original) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: original.inputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const a = attrs as unknown as Conv2DAttrs;
      const hasKernel = Boolean(tf.getKernel('Conv2DBackpropFilter', tf.getBackend()));
      const simple = a.dataFormat !== 'NCHW' && pair(a.dilations).every((d) => d === 1) && (a.pad === 'valid' || a.pad === 'same');
      if (hasKernel || !simple) return grads;
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      return {
        ...grads,
        filter: () => conv2dFilterGrad(x, dy as tf.Tensor4D, filter.shape, a.strides, a.pad as 'valid' | 'same'),
      };
    },
  });
}
