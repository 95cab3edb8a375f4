import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22 registers Conv2D and Conv2DBackpropInput but not Conv2DBackpropFilter,
 * so training any Conv1D/Conv2D layer on WASM throws. This wraps the registered Conv2D gradient:
 * when the active backend lacks the filter kernel, the filter gradient is computed from ops every
 * backend has (a convolution for stride 1, else one strided slice and one matMul per kernel tap),
 * and for stride 1 the input gradient too (wasm's Conv2DBackpropInput is slow). Other backends
 * keep the original.
 */

interface Conv2DAttrs {
  strides: number | [number, number];
  // 'valid' | 'same' | a number, or tfjs's explicit per-side padding: read at run time.
  pad: unknown;
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
 * Stride 1 (every Conv1D here): the filter gradient is itself a valid convolution of the padded
 * input, with batch and channels swapped, by dy. One Conv2D call runs on the backend's fast
 * forward kernel instead of a slice and a matMul per tap.
 */
function filterGradByConv(xp: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const xt = xp.transpose<tf.Tensor4D>([3, 1, 2, 0]); // [cin, Hp, Wp, batch]
  const dyt = dy.transpose<tf.Tensor4D>([1, 2, 0, 3]); // [outH, outW, batch, cout]
  return tf.conv2d(xt, dyt, 1, 'valid').transpose<tf.Tensor4D>([1, 2, 0, 3]); // [fh, fw, cin, cout]
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
    if (sh === 1 && sw === 1) return filterGradByConv(xp, dy);
    const dy2 = dy.reshape([batch * outH * outW, cout]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const patch = tf.stridedSlice(
          xp,
          [0, i, j, 0],
          [batch, i + (outH - 1) * sh + 1, j + (outW - 1) * sw + 1, cin],
          [1, sh, sw, 1],
        ) as tf.Tensor4D;
        taps.push(tf.matMul(patch.reshape([batch * outH * outW, cin]), dy2, true, false));
      }
    }
    return tf.stack(taps).reshape<tf.Tensor4D>([fh, fw, cin, cout]);
  });
}

/**
 * Input gradient of a stride-1 convolution as a forward convolution: dy padded by (kernel - 1 -
 * forward padding) on each side, filter flipped in space with in/out channels swapped. In a profile
 * of the RUL CNN, tfjs-wasm's Conv2DBackpropInput took about ten times as long as its Conv2D.
 */
export function conv2dInputGradStride1(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  pad: 'valid' | 'same',
): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw] = filter.shape;
    const [, inH, inW] = inputShape;
    const [ph0, ph1] = pad === 'same' ? samePads(inH, fh, 1) : [0, 0];
    const [pw0, pw1] = pad === 'same' ? samePads(inW, fw, 1) : [0, 0];
    const dyp = tf.pad(dy, [
      [0, 0],
      [fh - 1 - ph0, fh - 1 - ph1],
      [fw - 1 - pw0, fw - 1 - pw1],
      [0, 0],
    ]);
    const flipped = tf.reverse(filter, [0, 1]).transpose<tf.Tensor4D>([0, 1, 3, 2]);
    return tf.conv2d(dyp, flipped, 1, 'valid');
  });
}

let installed = false;

export function installConvFilterGradFallback(): void {
  if (installed) return;
  // Typed as always found, but undefined when no backend registered Conv2D's gradient.
  const original = tf.getGradient('Conv2D') as tf.GradConfig | undefined;
  if (!original) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: original.inputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      // tfjs hands every kernel's attributes over as a NamedAttrMap; Conv2D's are Conv2DAttrs.
      const a = attrs as unknown as Conv2DAttrs;
      const hasKernel = Boolean(tf.getKernel('Conv2DBackpropFilter', tf.getBackend()));
      const simple =
        a.dataFormat !== 'NCHW' && pair(a.dilations).every((d) => d === 1) && (a.pad === 'valid' || a.pad === 'same');
      if (hasKernel || !simple) return grads;
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const stride1 = pair(a.strides).every((v) => v === 1);
      return {
        x: stride1
          ? () => conv2dInputGradStride1(dy as tf.Tensor4D, filter, x.shape, a.pad as 'valid' | 'same')
          : grads.x!,
        filter: () => conv2dFilterGrad(x, dy as tf.Tensor4D, filter.shape, a.strides, a.pad as 'valid' | 'same'),
      };
    },
  });
}
