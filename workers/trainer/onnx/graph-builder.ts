import { AttributeType, TensorDataType } from './onnx-proto';

/**
 * Accumulates nodes and initializers as plain objects in onnx.proto's field names. Names are made
 * unique here so the exporter can think in layers rather than tensor names.
 */
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: number;
  dims: Dim[];
}

export class GraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly initializers: Record<string, unknown>[] = [];
  private readonly used = new Set<string>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`tensor name already used: ${name}`);
    this.used.add(name);
    return name;
  }

  /** float32 constant stored little-endian in raw_data, as ONNX requires whatever the host. */
  floatConstant(base: string, values: ArrayLike<number>, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`${base}: ${values.length} values for dims [${dims.join(',')}]`);
    const bytes = new Uint8Array(count * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, values[i] as number, true);
    const name = this.unique(base);
    this.initializers.push({ name, dims, data_type: TensorDataType.FLOAT, raw_data: bytes });
    return name;
  }

  int64Constant(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims: [values.length], data_type: TensorDataType.INT64, int64_data: values });
    return name;
  }

  /** Adds a node and returns its (first) output name; pass `output` to name a graph output. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ? this.reserve(output) : this.unique(`${opType.toLowerCase()}_out`);
    this.nodes.push({
      op_type: opType,
      name: this.unique(`${opType}_node`),
      input: inputs,
      output: [out],
      attribute: Object.entries(attributes).map(([name, v]) => encodeAttribute(name, v)),
    });
    return out;
  }

  graph(name: string, inputs: ValueInfo[], outputs: ValueInfo[]): Record<string, unknown> {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    };
  }
}

function encodeAttribute(name: string, v: AttributeValue): Record<string, unknown> {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

function valueInfo(v: ValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: v.elemType,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}
