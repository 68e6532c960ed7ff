/**
 * A small ONNX graph builder for networks written out layer by layer (the
 * face detectors: src/core/face/onnx-nets.ts), and the weight layouts shared
 * with the layers-model conversion (convert.ts). Every 4-D value is NCHW.
 * Platform-neutral; no TensorFlow.js.
 */
import { FerkitError } from '../errors.js';
import { encodeModel, ONNX_IR_VERSION, ONNX_OPSET, type OnnxAttributeValue, type OnnxTensor, type OnnxValueInfo } from './proto.js';

/** A weight as TensorFlow stores it: row-major data and its shape. */
export interface Weight {
  data: Float32Array;
  shape: readonly number[];
}

/** Named weights, as a TensorFlow.js weight manifest decodes them. */
export type WeightMap = ReadonlyMap<string, Weight>;

/** A TensorFlow kernel [kh, kw, in, out] as an ONNX Conv weight [out, in, kh, kw]. Pure. */
export function convWeight(k: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = k.shape;
  const out = new Float32Array(k.data.length);
  const src = k.data;
  const taps = kh * kw;
  // source index ((t * cin + c) * cout + o), target ((o * cin + c) * taps + t) for tap t = i * kw + j
  for (let t = 0; t < taps; t++)
    for (let c = 0; c < cin; c++) {
      const from = (t * cin + c) * cout;
      const to = c * taps + t;
      for (let o = 0; o < cout; o++) out[o * cin * taps + to] = src[from + o];
    }
  return { data: out, dims: [cout, cin, kh, kw] };
}

/** A TensorFlow depthwise kernel [kh, kw, in, mult] as a grouped Conv weight [in*mult, 1, kh, kw] (output channel c*mult+m). Pure. */
export function depthwiseWeight(k: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, mult] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++) for (let m = 0; m < mult; m++) out[((c * mult + m) * kh + i) * kw + j] = k.data[((i * kw + j) * cin + c) * mult + m];
  return { data: out, dims: [cin * mult, 1, kh, kw] };
}

/** TensorFlow's padding names as ONNX's auto_pad ("SAME" puts any odd pixel at the end, as SAME_UPPER does). */
export type TfPadding = 'SAME' | 'VALID';

function autoPad(padding: TfPadding): OnnxAttributeValue {
  return { s: padding === 'SAME' ? 'SAME_UPPER' : 'VALID' };
}

/** A node while the graph is built (its inputs may still be rewired, as batch-norm folding does). */
export interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, OnnxAttributeValue>;
}

export class OnnxGraphBuilder {
  readonly nodes: GraphNode[] = [];
  /** By name: a later pass may change a constant's values in place. */
  readonly initializers = new Map<string, OnnxTensor>();
  private readonly used = new Set<string>();

  constructor(private readonly weights: WeightMap = new Map()) {}

  /** A name not used yet in the graph. */
  unique(base: string): string {
    const clean = base.replace(/[^\w/.:-]/g, '_');
    let name = clean;
    for (let i = 2; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: string[], base: string, attributes: Record<string, OnnxAttributeValue> = {}): string {
    const out = this.unique(base);
    this.nodes.push({ opType, inputs, outputs: [out], name: out, attributes });
    return out;
  }

  /** A node whose output has exactly this name (a graph output). */
  output(opType: string, inputs: string[], name: string, attributes: Record<string, OnnxAttributeValue> = {}): string {
    if (this.used.has(name)) throw new FerkitError('BAD_MODEL', `graph value "${name}" is defined twice`);
    this.used.add(name);
    this.nodes.push({ opType, inputs, outputs: [name], name, attributes });
    return name;
  }

  constant(base: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const name = this.unique(base);
    this.initializers.set(name, { name, dims, data });
    return name;
  }

  /** A named weight of the network, or a BAD_MODEL error naming it. */
  weight(name: string): Weight {
    const w = this.weights.get(name);
    if (!w) throw new FerkitError('BAD_MODEL', `weight "${name}" is missing from the network's weights; reinstall ferkit's dependencies (npm ci)`);
    return w;
  }

  /** A convolution with TensorFlow's kernel layout and padding, and an optional bias (a weight name or values). */
  conv(x: string, kernel: Weight, bias: Weight | Float32Array | undefined, strides: number, padding: TfPadding, base: string): string {
    const k = convWeight(kernel);
    const ins = [x, this.constant(`${base}/W`, k.dims, k.data)];
    if (bias) {
      const b = bias instanceof Float32Array ? bias : bias.data;
      ins.push(this.constant(`${base}/B`, [b.length], b));
    }
    return this.node('Conv', ins, base, {
      kernel_shape: { ints: k.dims.slice(2) },
      strides: { ints: [strides, strides] },
      auto_pad: autoPad(padding),
      group: { i: 1 },
    });
  }

  /** A depthwise convolution with TensorFlow's kernel layout and padding, and an optional bias. */
  depthwise(x: string, kernel: Weight, bias: Float32Array | undefined, strides: number, padding: TfPadding, base: string): string {
    const k = depthwiseWeight(kernel);
    const ins = [x, this.constant(`${base}/W`, k.dims, k.data)];
    if (bias) ins.push(this.constant(`${base}/B`, [bias.length], bias));
    return this.node('Conv', ins, base, {
      kernel_shape: { ints: k.dims.slice(2) },
      strides: { ints: [strides, strides] },
      auto_pad: autoPad(padding),
      group: { i: kernel.shape[2] },
    });
  }

  int64(base: string, values: readonly number[]): string {
    return this.constant(base, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  scalar(base: string, v: number): string {
    return this.constant(base, [], new Float32Array([v]));
  }

  /** The ONNX file: float32 inputs and outputs as given. */
  encode(name: string, docString: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], metadata: Record<string, string> = {}): Uint8Array {
    return encodeModel({
      irVersion: ONNX_IR_VERSION,
      opsetVersion: ONNX_OPSET,
      producerName: 'ferkit',
      producerVersion: metadata['ferkit_version'] ?? 'unknown',
      docString,
      graph: { name, nodes: this.nodes, initializers: [...this.initializers.values()], inputs, outputs },
      metadata,
    });
  }
}
