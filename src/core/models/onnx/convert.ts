/**
 * A TensorFlow.js layers model as an ONNX graph. Keras layers work on
 * channels-last (NHWC) tensors; ONNX convolutions and pools on
 * channels-first (NCHW) ones. The graph takes the model's NHWC input,
 * transposes it once to NCHW, keeps every 4-D tensor in NCHW and transposes
 * back to NHWC before a Flatten or Reshape, so that dense weights see the
 * features in Keras's order. Batch normalisations that follow a convolution
 * or dense layer are folded into its weights. Platform-neutral.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../../errors.js';
import type { OnnxNode, OnnxTensor } from '../../onnx/proto.js';
import { convWeight, depthwiseWeight, OnnxGraphBuilder, type GraphNode } from '../../onnx/builder.js';

/** What a layers model becomes: nodes and weights from `input` (NHWC float) to `output`. */
export interface ConvertedGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  input: string;
  /** Input shape without the batch: [height, width, channels]. */
  inputShape: number[];
  output: string;
  /** Output features (the number of classes). */
  outputSize: number;
}

/** A value of the graph being built: its ONNX name and its Keras (NHWC) shape. */
interface Value {
  name: string;
  /** Keras shape, batch first (null), channels last. 4-D values are stored NCHW in the graph. */
  shape: readonly (number | null)[];
}

/** The parts of tfjs-layers' topology the walk reads (public members, not all in its exported typings). */
interface LayerNode {
  inputTensors: tf.SymbolicTensor[];
}
type Layer = tf.layers.Layer & { inboundNodes: LayerNode[] };

type Config = Record<string, unknown>;

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function pair(v: unknown, name: string): [number, number] {
  const a = Array.isArray(v) ? (v as number[]) : [v as number, v as number];
  if (a.length !== 2 || !a.every(Number.isInteger)) throw new FerkitError('BAD_MODEL', `${name}: expected two integers, got ${JSON.stringify(v)}`);
  return [a[0], a[1]];
}

/** The ONNX graph builder, with the symbolic tensors already converted. */
class GraphBuilder extends OnnxGraphBuilder {
  private readonly memo = new Map<string, Value>();

  /** The graph value of a symbolic tensor, converting the layers it comes from first. */
  value(t: tf.SymbolicTensor, scope: Scope): Value {
    const fed = scope.inputs.get(t.id);
    if (fed) return fed;
    const key = `${scope.prefix}#${t.id}`;
    const done = this.memo.get(key);
    if (done) return done;
    const layer = t.sourceLayer as Layer;
    const node = layer.inboundNodes[t.nodeIndex];
    if (!node) throw new FerkitError('BAD_MODEL', `${layer.name}: no inbound node ${t.nodeIndex}; the model's graph is incomplete`);
    if (layer.getClassName() === 'InputLayer') throw new FerkitError('BAD_MODEL', `${layer.name}: a model input that the model is not fed from`);
    const inputs = node.inputTensors.map((i) => this.value(i, scope));
    const outputs = convertLayer(this, layer, inputs, scope);
    const out = outputs[t.tensorIndex];
    if (!out) throw new FerkitError('BAD_MODEL', `${layer.name}: output ${t.tensorIndex} is not supported`);
    const v = { name: out.name, shape: t.shape };
    this.memo.set(key, v);
    return v;
  }
}

/** Where a (possibly nested) model's inputs come from. */
interface Scope {
  prefix: string;
  inputs: Map<number, Value>;
}

function weightsOf(layer: tf.layers.Layer): Map<string, { data: Float32Array; shape: number[] }> {
  const values = layer.getWeights();
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  layer.weights.forEach((w, i) => {
    const role = w.originalName.split('/').pop() ?? w.originalName;
    // a copy: batch-norm folding scales it in place
    out.set(role, { data: (values[i].dataSync() as Float32Array).slice(), shape: values[i].shape });
  });
  return out;
}

function need<T>(v: T | undefined, layer: tf.layers.Layer, what: string): T {
  if (v === undefined) throw new FerkitError('BAD_MODEL', `${layer.name} (${layer.getClassName()}): no ${what}`);
  return v;
}

/** ONNX pads [top, left, bottom, right] for Keras padding of a 4-D NHWC input (TensorFlow's "same": any odd pixel at the end). */
function padsFor(layer: tf.layers.Layer, cfg: Config, inShape: readonly (number | null)[], kernel: [number, number], strides: [number, number], dilation: [number, number] = [1, 1]): number[] {
  const padding = cfg['padding'] ?? 'valid';
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new FerkitError('BAD_MODEL', `${layer.name}: padding "${String(padding)}" has no ONNX equivalent in ferkit's export; use "same" or "valid"`);
  const before: number[] = [];
  const after: number[] = [];
  for (let d = 0; d < 2; d++) {
    const size = inShape[1 + d];
    if (size === null || size === undefined) throw new FerkitError('BAD_MODEL', `${layer.name}: "same" padding needs a fixed input size`);
    const eff = (kernel[d] - 1) * dilation[d] + 1;
    const total = Math.max((Math.ceil(size / strides[d]) - 1) * strides[d] + eff - size, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

function checkChannelsLast(layer: tf.layers.Layer, cfg: Config): void {
  const f = cfg['dataFormat'];
  if (f !== undefined && f !== 'channelsLast') throw new FerkitError('BAD_MODEL', `${layer.name}: data format ${String(f)} is not supported; ferkit models are channels-last`);
}

/** Applies a Keras activation by name; `rank` is the Keras rank of x (softmax runs over the channels). */
function activation(b: GraphBuilder, name: string, x: string, rank: number, base: string): string {
  const channelAxis = rank === 4 ? 1 : -1;
  switch (name) {
    case 'linear':
    case undefined:
      return x;
    case 'relu':
      return b.node('Relu', [x], `${base}/relu`);
    case 'relu6':
      return b.node('Clip', [x, b.scalar(`${base}/min`, 0), b.scalar(`${base}/max`, 6)], `${base}/relu6`);
    case 'elu':
      return b.node('Elu', [x], `${base}/elu`, { alpha: { f: 1 } });
    case 'selu':
      return b.node('Selu', [x], `${base}/selu`);
    case 'sigmoid':
      return b.node('Sigmoid', [x], `${base}/sigmoid`);
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return b.node('HardSigmoid', [x], `${base}/hard_sigmoid`, { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case 'tanh':
      return b.node('Tanh', [x], `${base}/tanh`);
    case 'softplus':
      return b.node('Softplus', [x], `${base}/softplus`);
    case 'softsign':
      return b.node('Softsign', [x], `${base}/softsign`);
    case 'swish':
      return b.node('Mul', [x, b.node('Sigmoid', [x], `${base}/sigmoid`)], `${base}/swish`);
    case 'mish':
      return b.node('Mul', [x, b.node('Tanh', [b.node('Softplus', [x], `${base}/softplus`)], `${base}/tanh`)], `${base}/mish`);
    case 'softmax':
      return b.node('Softmax', [x], `${base}/softmax`, { axis: { i: channelAxis } });
    default:
      throw new FerkitError('BAD_MODEL', `${base}: activation "${name}" has no ONNX mapping in ferkit's export`);
  }
}

/** The NHWC axis of a Keras layer config as the axis of the graph's layout. */
function graphAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? NHWC_TO_NCHW.indexOf(a) : a;
}

function toNhwc(b: GraphBuilder, v: Value, base: string): string {
  return v.shape.length === 4 ? b.node('Transpose', [v.name], `${base}/to_nhwc`, { perm: { ints: NCHW_TO_NHWC } }) : v.name;
}

/** One layer's ONNX nodes; returns its outputs (names; shapes are Keras's). */
function convertLayer(b: GraphBuilder, layer: Layer, inputs: Value[], scope: Scope): { name: string }[] {
  const cls = layer.getClassName();
  const cfg = layer.getConfig() as Config;
  const base = `${scope.prefix}${layer.name}`;
  const x = inputs[0];
  const rank = x.shape.length;
  const act = (y: string) => activation(b, (cfg['activation'] as string | undefined) ?? 'linear', y, rank, base);

  if (layer instanceof tf.LayersModel) {
    const inner: Scope = { prefix: `${base}/`, inputs: new Map(layer.inputs.map((t, i) => [t.id, inputs[i]])) };
    return layer.outputs.map((t) => b.value(t, inner));
  }

  switch (cls) {
    case 'Conv2D': {
      checkChannelsLast(layer, cfg);
      const w = weightsOf(layer);
      const kernel = pair(cfg['kernelSize'], `${base} kernel size`);
      const strides = pair(cfg['strides'] ?? 1, `${base} strides`);
      const dilations = pair(cfg['dilationRate'] ?? 1, `${base} dilation`);
      const k = convWeight(need(w.get('kernel'), layer, 'kernel'));
      const ins = [x.name, b.constant(`${base}/kernel`, k.dims, k.data)];
      const bias = w.get('bias');
      if (bias) ins.push(b.constant(`${base}/bias`, bias.shape, bias.data));
      const y = b.node('Conv', ins, `${base}/conv`, {
        kernel_shape: { ints: kernel },
        strides: { ints: strides },
        dilations: { ints: dilations },
        pads: { ints: padsFor(layer, cfg, x.shape, kernel, strides, dilations) },
        group: { i: 1 },
      });
      return [{ name: act(y) }];
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      checkChannelsLast(layer, cfg);
      const w = weightsOf(layer);
      const kernel = pair(cfg['kernelSize'], `${base} kernel size`);
      const strides = pair(cfg['strides'] ?? 1, `${base} strides`);
      const dilations = pair(cfg['dilationRate'] ?? 1, `${base} dilation`);
      const dw = depthwiseWeight(need(w.get('depthwise_kernel'), layer, 'depthwise kernel'));
      const cin = need(x.shape[3] ?? undefined, layer, 'channel count');
      const separable = cls === 'SeparableConv2D';
      const ins = [x.name, b.constant(`${base}/depthwise_kernel`, dw.dims, dw.data)];
      const bias = w.get('bias');
      if (bias && !separable) ins.push(b.constant(`${base}/bias`, bias.shape, bias.data));
      let y = b.node('Conv', ins, `${base}/depthwise`, {
        kernel_shape: { ints: kernel },
        strides: { ints: strides },
        dilations: { ints: dilations },
        pads: { ints: padsFor(layer, cfg, x.shape, kernel, strides, dilations) },
        group: { i: cin },
      });
      if (separable) {
        const pw = convWeight(need(w.get('pointwise_kernel'), layer, 'pointwise kernel'));
        const pins = [y, b.constant(`${base}/pointwise_kernel`, pw.dims, pw.data)];
        if (bias) pins.push(b.constant(`${base}/bias`, bias.shape, bias.data));
        y = b.node('Conv', pins, `${base}/pointwise`, { kernel_shape: { ints: [1, 1] }, strides: { ints: [1, 1] }, pads: { ints: [0, 0, 0, 0] }, group: { i: 1 } });
      }
      return [{ name: act(y) }];
    }
    case 'Dense': {
      if (rank !== 2) throw new FerkitError('BAD_MODEL', `${base}: a dense layer on a ${rank}-D input is not supported; flatten first`);
      const w = weightsOf(layer);
      const k = need(w.get('kernel'), layer, 'kernel');
      const ins = [x.name, b.constant(`${base}/kernel`, k.shape, k.data)];
      const bias = w.get('bias');
      if (bias) ins.push(b.constant(`${base}/bias`, bias.shape, bias.data));
      return [{ name: act(b.node('Gemm', ins, `${base}/gemm`)) }];
    }
    case 'BatchNormalization': {
      const axis = Number(cfg['axis'] ?? -1);
      if (axis !== -1 && axis !== rank - 1) throw new FerkitError('BAD_MODEL', `${base}: batch normalisation over axis ${axis} is not supported (only the channels, the last axis)`);
      const w = weightsOf(layer);
      const mean = need(w.get('moving_mean'), layer, 'moving mean');
      const variance = need(w.get('moving_variance'), layer, 'moving variance');
      const n = mean.data.length;
      const gamma = w.get('gamma')?.data ?? new Float32Array(n).fill(1);
      const beta = w.get('beta')?.data ?? new Float32Array(n);
      const y = b.node(
        'BatchNormalization',
        [x.name, b.constant(`${base}/gamma`, [n], gamma), b.constant(`${base}/beta`, [n], beta), b.constant(`${base}/moving_mean`, [n], mean.data), b.constant(`${base}/moving_variance`, [n], variance.data)],
        `${base}/bn`,
        { epsilon: { f: Number(cfg['epsilon'] ?? 1e-3) } },
      );
      return [{ name: y }];
    }
    case 'Activation':
      return [{ name: act(x.name) }];
    case 'ReLU': {
      const max = cfg['maxValue'] as number | null | undefined;
      return [{ name: max === null || max === undefined ? b.node('Relu', [x.name], `${base}/relu`) : b.node('Clip', [x.name, b.scalar(`${base}/min`, 0), b.scalar(`${base}/max`, max)], `${base}/clip`) }];
    }
    case 'LeakyReLU':
      return [{ name: b.node('LeakyRelu', [x.name], `${base}/leaky_relu`, { alpha: { f: Number(cfg['alpha'] ?? 0.3) } }) }];
    case 'ELU':
      return [{ name: b.node('Elu', [x.name], `${base}/elu`, { alpha: { f: Number(cfg['alpha'] ?? 1) } }) }];
    case 'Softmax':
      return [{ name: b.node('Softmax', [x.name], `${base}/softmax`, { axis: { i: graphAxis(Number(cfg['axis'] ?? -1), rank) } }) }];
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      checkChannelsLast(layer, cfg);
      const kernel = pair(cfg['poolSize'] ?? 2, `${base} pool size`);
      const strides = pair(cfg['strides'] ?? kernel, `${base} strides`);
      const op = cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
      // AveragePool leaves padding out of the mean by default (count_include_pad = 0), as TensorFlow does
      return [{ name: b.node(op, [x.name], `${base}/pool`, { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: padsFor(layer, cfg, x.shape, kernel, strides) } }) }];
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      checkChannelsLast(layer, cfg);
      const pooled = b.node(cls === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name], `${base}/pool`);
      return [{ name: cfg['keepDims'] ? pooled : b.node('Flatten', [pooled], `${base}/flatten`, { axis: { i: 1 } }) }];
    }
    case 'Flatten':
      return [{ name: rank === 2 ? x.name : b.node('Flatten', [toNhwc(b, x, base)], `${base}/flatten`, { axis: { i: 1 } }) }];
    case 'Reshape': {
      const target = (cfg['targetShape'] as number[]).map(Number);
      const shape = b.constant(`${base}/shape`, [target.length + 1], BigInt64Array.from([0, ...target].map((v) => BigInt(v))));
      const y = b.node('Reshape', [toNhwc(b, x, base), shape], `${base}/reshape`);
      return [{ name: target.length === 3 ? b.node('Transpose', [y], `${base}/to_nchw`, { perm: { ints: NHWC_TO_NCHW } }) : y }];
    }
    case 'ZeroPadding2D': {
      checkChannelsLast(layer, cfg);
      const p = cfg['padding'] as [[number, number], [number, number]];
      const pads = b.constant(`${base}/pads`, [8], BigInt64Array.from([0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]].map((v) => BigInt(v))));
      return [{ name: b.node('Pad', [x.name, pads], `${base}/pad`) }];
    }
    case 'Dropout':
    case 'SeededDropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      // the identity at inference
      return [{ name: x.name }];
    case 'Add':
      return [{ name: b.node('Sum', inputs.map((i) => i.name), `${base}/add`) }];
    case 'Average':
      return [{ name: b.node('Mean', inputs.map((i) => i.name), `${base}/mean`) }];
    case 'Maximum':
      return [{ name: b.node('Max', inputs.map((i) => i.name), `${base}/max`) }];
    case 'Minimum':
      return [{ name: b.node('Min', inputs.map((i) => i.name), `${base}/min`) }];
    case 'Multiply':
      return [{ name: inputs.slice(1).reduce((acc, i, k) => b.node('Mul', [acc, i.name], `${base}/mul${k ? `_${k}` : ''}`), x.name) }];
    case 'Concatenate':
      return [{ name: b.node('Concat', inputs.map((i) => i.name), `${base}/concat`, { axis: { i: graphAxis(Number(cfg['axis'] ?? -1), rank) } }) }];
    default:
      throw new FerkitError('BAD_MODEL', `${base}: layer type ${cls} has no ONNX mapping in ferkit's export; use the TensorFlow.js model, or add the mapping to src/core/models/onnx/convert.ts`);
  }
}

/**
 * Folds each BatchNormalization whose input comes from a Conv or Gemm
 * (and from nothing else) into that node's weight and bias:
 * w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(variance + eps).
 */
function foldBatchNorms(b: GraphBuilder, keep: ReadonlySet<string>): void {
  const uses = new Map<string, number>();
  for (const n of b.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const producer = new Map<string, GraphNode>();
  for (const n of b.nodes) for (const o of n.outputs) producer.set(o, n);
  const removed = new Set<GraphNode>();
  for (const bn of b.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const x = bn.inputs[0];
    const p = producer.get(x);
    if (!p || (p.opType !== 'Conv' && p.opType !== 'Gemm') || uses.get(x) !== 1 || keep.has(x)) continue;
    const weight = b.initializers.get(p.inputs[1]);
    if (!weight || uses.get(p.inputs[1]) !== 1 || (p.inputs[2] && uses.get(p.inputs[2]) !== 1)) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => b.initializers.get(n)!.data as Float32Array);
    const eps = (bn.attributes['epsilon'] as { f: number }).f;
    const n = mean.length;
    const scale = Float64Array.from(mean, (_, c) => gamma[c] / Math.sqrt(variance[c] + eps));
    const w = weight.data as Float32Array;
    if (p.opType === 'Conv') {
      // [out, in/group, kh, kw]: each output channel's slice
      const per = w.length / n;
      for (let i = 0; i < w.length; i++) w[i] *= scale[Math.floor(i / per)];
    } else {
      // Gemm B [in, out]: each column
      for (let i = 0; i < w.length; i++) w[i] *= scale[i % n];
    }
    const oldBias = p.inputs[2] ? (b.initializers.get(p.inputs[2])!.data as Float32Array) : new Float32Array(n);
    const bias = Float32Array.from(oldBias, (v, c) => (v - mean[c]) * scale[c] + beta[c]);
    if (p.inputs[2]) b.initializers.get(p.inputs[2])!.data = bias;
    else p.inputs[2] = b.constant(`${bn.name}/folded_bias`, [n], bias);
    p.outputs = bn.outputs;
    removed.add(bn);
    for (const name of bn.inputs.slice(1)) b.initializers.delete(name);
  }
  const kept = b.nodes.filter((n) => !removed.has(n));
  b.nodes.length = 0;
  b.nodes.push(...kept);
}

/**
 * Converts a single-input, single-output layers model (sequential,
 * functional, or an ensemble of nested models) into ONNX nodes. The graph
 * input `input` is NHWC, as the model's own.
 */
export function convertLayersModel(model: tf.LayersModel, options: { input?: string; foldBatchNorm?: boolean } = {}): ConvertedGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new FerkitError('BAD_MODEL', `${model.name}: ONNX export needs one input and one output, the model has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d === null)) {
    throw new FerkitError('BAD_MODEL', `${model.name}: ONNX export needs a fixed [batch, height, width, channels] input, the model takes ${JSON.stringify(inShape)}`);
  }
  const outShape = model.outputs[0].shape;
  if (outShape.length !== 2 || outShape[1] === null) throw new FerkitError('BAD_MODEL', `${model.name}: ONNX export needs a [batch, classes] output, the model gives ${JSON.stringify(outShape)}`);
  const b = new GraphBuilder();
  const input = b.unique(options.input ?? 'input');
  const nchw = b.node('Transpose', [input], 'input/to_nchw', { perm: { ints: NHWC_TO_NCHW } });
  const scope: Scope = { prefix: '', inputs: new Map([[model.inputs[0].id, { name: nchw, shape: inShape }]]) };
  const out = b.value(model.outputs[0], scope);
  let output = out.name;
  if (output === nchw || output === input) output = b.node('Identity', [output], 'output');
  if (options.foldBatchNorm ?? true) foldBatchNorms(b, new Set([output]));
  return {
    nodes: b.nodes,
    initializers: [...b.initializers.values()],
    input,
    inputShape: inShape.slice(1) as number[],
    output,
    outputSize: outShape[1],
  };
}
