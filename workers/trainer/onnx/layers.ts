import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder } from './graph-builder';

/**
 * Translates a trained tfjs Sequential stack into ONNX nodes, reading the weights from the layers.
 * tfjs Conv1D works on [N, steps, channels] while ONNX Conv wants [N, channels, steps], so the
 * current layout is tracked and transposes are inserted only where it changes.
 */
type Layout = 'NC' | 'NWC' | 'NCW';

interface Cursor {
  name: string;
  layout: Layout;
  /** Static sizes after the batch axis, in tfjs (NWC / NC) order. */
  shape: number[];
}

function weightsOf(layer: tf.layers.Layer): { values: Float32Array; shape: number[] }[] {
  return layer.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
}

function activation(g: GraphBuilder, name: string, input: string): string {
  switch (name) {
    case 'linear':
      return input;
    case 'relu':
      return g.node('Relu', [input]);
    case 'tanh':
      return g.node('Tanh', [input]);
    case 'sigmoid':
      return g.node('Sigmoid', [input]);
    case 'softmax':
      // Opset 13 Softmax normalises along one axis, like tfjs' last-axis softmax.
      return g.node('Softmax', [input], { axis: -1 });
    case 'elu':
      return g.node('Elu', [input], { alpha: { float: 1 } });
    default:
      throw new Error(`activation '${name}' has no ONNX export`);
  }
}

function toChannelsFirst(g: GraphBuilder, c: Cursor): Cursor {
  if (c.layout === 'NCW') return c;
  if (c.layout !== 'NWC') throw new Error(`expected a sequence input, got layout ${c.layout}`);
  return { ...c, name: g.node('Transpose', [c.name], { perm: [0, 2, 1] }), layout: 'NCW' };
}

function toChannelsLast(g: GraphBuilder, c: Cursor): Cursor {
  if (c.layout !== 'NCW') return c;
  return { ...c, name: g.node('Transpose', [c.name], { perm: [0, 2, 1] }), layout: 'NWC' };
}

/** TensorFlow's 'same' padding: the odd element of padding goes at the end. */
function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function first(v: unknown): number {
  return Array.isArray(v) ? Number(v[0]) : Number(v);
}

function dense(g: GraphBuilder, layer: tf.layers.Layer, c: Cursor): Cursor {
  if (c.layout !== 'NC') throw new Error(`Dense after a ${c.layout} tensor needs Flatten first`);
  const cfg = layer.getConfig();
  const [kernel, bias] = weightsOf(layer);
  if (!kernel) throw new Error(`${layer.name}: no kernel`);
  const [inDim, units] = kernel.shape as [number, number];
  const b = bias ?? { values: new Float32Array(units), shape: [units] };
  const w = g.floatConstant(`${layer.name}_kernel`, kernel.values, [inDim, units]);
  const bn = g.floatConstant(`${layer.name}_bias`, b.values, [units]);
  const y = g.node('Gemm', [c.name, w, bn]);
  return {
    name: activation(g, typeof cfg.activation === 'string' ? cfg.activation : 'linear', y),
    layout: 'NC',
    shape: [units],
  };
}

function conv1d(g: GraphBuilder, layer: tf.layers.Layer, c0: Cursor): Cursor {
  const cfg = layer.getConfig();
  if (first(cfg.dilationRate ?? 1) !== 1) throw new Error(`${layer.name}: dilated Conv1D has no export`);
  const c = toChannelsFirst(g, c0);
  const [kernel, bias] = weightsOf(layer);
  if (!kernel) throw new Error(`${layer.name}: no kernel`);
  const [k, cin, cout] = kernel.shape as [number, number, number];
  // tfjs kernel [k, in, out] -> ONNX weight [out, in, k].
  const w = new Float32Array(kernel.values.length);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < cin; i++)
      for (let o = 0; o < cout; o++) w[(o * cin + i) * k + j] = kernel.values[(j * cin + i) * cout + o]!;
  const stride = first(cfg.strides ?? 1);
  const steps = c.shape[0]!;
  const pads = cfg.padding === 'same' ? samePads(steps, k, stride) : [0, 0];
  const outSteps = Math.floor((steps + pads[0]! + pads[1]! - k) / stride) + 1;
  const inputs = [c.name, g.floatConstant(`${layer.name}_kernel`, w, [cout, cin, k])];
  if (bias) inputs.push(g.floatConstant(`${layer.name}_bias`, bias.values, [cout]));
  const y = g.node('Conv', inputs, {
    kernel_shape: [k],
    strides: [stride],
    pads: [pads[0]!, pads[1]!],
    dilations: [1],
  });
  return {
    name: activation(g, typeof cfg.activation === 'string' ? cfg.activation : 'linear', y),
    layout: 'NCW',
    shape: [outSteps, cout],
  };
}

function maxPool1d(g: GraphBuilder, layer: tf.layers.Layer, c0: Cursor): Cursor {
  const cfg = layer.getConfig();
  const c = toChannelsFirst(g, c0);
  const size = first(cfg.poolSize);
  const stride = first(cfg.strides ?? size);
  const steps = c.shape[0]!;
  const pads = cfg.padding === 'same' ? samePads(steps, size, stride) : [0, 0];
  const outSteps = cfg.padding === 'same' ? Math.ceil(steps / stride) : Math.floor((steps - size) / stride) + 1;
  const y = g.node('MaxPool', [c.name], { kernel_shape: [size], strides: [stride], pads: [pads[0]!, pads[1]!] });
  return { name: y, layout: 'NCW', shape: [outSteps, c.shape[1]!] };
}

export function exportLayers(
  g: GraphBuilder,
  model: tf.LayersModel,
  input: string,
  inputShape: number[],
): { name: string; shape: number[] } {
  let c: Cursor = { name: input, layout: inputShape.length === 1 ? 'NC' : 'NWC', shape: inputShape };
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
        break;
      case 'Dense':
        c = dense(g, layer, c);
        break;
      case 'Conv1D':
        c = conv1d(g, layer, c);
        break;
      case 'MaxPooling1D':
        c = maxPool1d(g, layer, c);
        break;
      case 'GlobalAveragePooling1D': {
        const ncw = toChannelsFirst(g, c);
        const pooled = g.node('GlobalAveragePool', [ncw.name]);
        c = { name: g.node('Flatten', [pooled], { axis: 1 }), layout: 'NC', shape: [c.shape[1]!] };
        break;
      }
      case 'Flatten': {
        // tfjs flattens [steps, channels] row-major, so go back to channels-last first.
        const nwc = toChannelsLast(g, c);
        c = {
          name: g.node('Flatten', [nwc.name], { axis: 1 }),
          layout: 'NC',
          shape: [c.shape.reduce((a, b) => a * b, 1)],
        };
        break;
      }
      default:
        throw new Error(`layer ${layer.name} (${cls}) has no ONNX export`);
    }
  }
  if (c.layout !== 'NC') c = toChannelsLast(g, c);
  return { name: c.name, shape: c.shape };
}
