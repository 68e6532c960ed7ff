/**
 * The face detectors' networks as ONNX graphs, written from their published
 * weights: BlazeFace from its TensorFlow.js graph model (the op-by-op walk
 * below), SSD-MobileNet v1 and the 68-point landmark net from face-api.js's
 * weight maps (the layers face-api.js runs them with, written out here).
 * The graphs take NCHW float input that the caller has scaled (see
 * src/core/face/onnx-detectors.ts). Made once, when ferkit is built
 * (`scripts/build-onnx.mjs`), and shipped with it. Platform-neutral.
 */
import { FerkitError } from '../errors.js';
import { OnnxGraphBuilder, type TfPadding, type Weight, type WeightMap } from '../onnx/builder.js';
import { faceApiFeatures } from '../onnx/face-api-features.js';

/** Names of the graphs' inputs and outputs. */
export const DETECTOR_INPUT = 'input';
export const BLAZEFACE_OUTPUTS = ['scores16', 'scores8', 'boxes16', 'boxes8'] as const;
export const SSD_OUTPUTS = ['boxes', 'scores'] as const;
export const LANDMARKS_OUTPUT = 'landmarks';
/** Input sides of the SSD and landmark networks. */
export const SSD_SIZE = 512;
export const LANDMARKS_SIZE = 112;

/** The part of a TensorFlow.js graph model's model.json the walk reads. */
export interface TfGraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; list?: { i?: string[]; s?: string[] }; f?: number; i?: string }>;
}

function attrString(n: TfGraphNode, key: string): string | undefined {
  const s = n.attr?.[key]?.s;
  return s === undefined ? undefined : atob(s);
}

function attrInts(n: TfGraphNode, key: string): number[] {
  return (n.attr?.[key]?.list?.i ?? []).map(Number);
}

function strideOf(n: TfGraphNode): number {
  const s = attrInts(n, 'strides');
  if (s.length === 4 && s[1] !== s[2]) throw new FerkitError('BAD_MODEL', `${n.name}: unequal strides are not supported`);
  return s.length === 4 ? s[1] : 1;
}

function paddingOf(n: TfGraphNode): TfPadding {
  const p = attrString(n, 'padding') ?? 'VALID';
  if (p !== 'SAME' && p !== 'VALID') throw new FerkitError('BAD_MODEL', `${n.name}: padding ${p} is not supported (SAME or VALID)`);
  return p;
}

const NCHW_TO_NHWC = [0, 2, 3, 1];

/**
 * A TensorFlow.js graph model (BlazeFace's ops: convolutions fused with
 * bias and ReLU, depthwise convolutions, additions, ReLU, max pooling,
 * channel padding, reshapes) as ONNX, NCHW throughout, fed NCHW. An op
 * outside that list stops the walk with an error that names it.
 */
export function tfjsGraphToOnnx(
  nodes: readonly TfGraphNode[],
  weights: WeightMap,
  outputs: readonly { node: string; name: string }[],
  meta: { name: string; inputShape: readonly number[]; docString: string; ferkitVersion?: string },
): Uint8Array {
  const b = new OnnxGraphBuilder(weights);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Map<string, string>();
  const clean = (ref: string) => ref.replace(/^\^/, '').replace(/:0$/, '');
  const weight = (ref: string): Weight => b.weight(clean(ref));
  const value = (ref: string): string => {
    const name = clean(ref);
    const got = done.get(name);
    if (got) return got;
    const n = byName.get(name);
    if (!n) throw new FerkitError('BAD_MODEL', `graph node "${name}" is missing`);
    const out = convertNode(n);
    done.set(name, out);
    return out;
  };
  const convertNode = (n: TfGraphNode): string => {
    const ins = n.input ?? [];
    switch (n.op) {
      case 'Placeholder':
        return DETECTOR_INPUT;
      case 'Identity':
        return value(ins[0]);
      case '_FusedConv2D': {
        const fused = (n.attr?.['fused_ops']?.list?.s ?? []).map((s) => atob(s));
        if (!fused.includes('BiasAdd')) throw new FerkitError('BAD_MODEL', `${n.name}: a fused convolution without BiasAdd is not supported`);
        let y = b.conv(value(ins[0]), weight(ins[1]), weight(ins[2]), strideOf(n), paddingOf(n), n.name);
        for (const op of fused.filter((f) => f !== 'BiasAdd')) {
          if (op === 'Relu') y = b.node('Relu', [y], `${n.name}/relu`);
          else if (op === 'Relu6') y = b.node('Clip', [y, b.scalar(`${n.name}/lo`, 0), b.scalar(`${n.name}/hi`, 6)], `${n.name}/relu6`);
          else throw new FerkitError('BAD_MODEL', `${n.name}: fused op ${op} is not supported`);
        }
        return y;
      }
      case 'Conv2D':
        return b.conv(value(ins[0]), weight(ins[1]), undefined, strideOf(n), paddingOf(n), n.name);
      case 'DepthwiseConv2dNative':
        return b.depthwise(value(ins[0]), weight(ins[1]), undefined, strideOf(n), paddingOf(n), n.name);
      case 'AddV2':
      case 'Add':
        return b.node('Add', [value(ins[0]), value(ins[1])], n.name);
      case 'Relu':
        return b.node('Relu', [value(ins[0])], n.name);
      case 'MaxPool': {
        const k = attrInts(n, 'ksize');
        const s = strideOf(n);
        return b.node('MaxPool', [value(ins[0])], n.name, {
          kernel_shape: { ints: [k[1], k[2]] },
          strides: { ints: [s, s] },
          auto_pad: { s: paddingOf(n) === 'SAME' ? 'SAME_UPPER' : 'VALID' },
        });
      }
      case 'Pad': {
        // NHWC paddings [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] as ONNX's NCHW begins then ends
        const p = Array.from(weight(ins[1]).data, Math.round);
        const pads = b.int64(`${n.name}/pads`, [p[0], p[6], p[2], p[4], p[1], p[7], p[3], p[5]]);
        return b.node('Pad', [value(ins[0]), pads, b.scalar(`${n.name}/value`, 0)], n.name, { mode: { s: 'constant' } });
      }
      case 'Reshape': {
        // the shape is in TensorFlow's NHWC order: back to NHWC first
        const nhwc = b.node('Transpose', [value(ins[0])], `${n.name}/nhwc`, { perm: { ints: NCHW_TO_NHWC } });
        const shape = Array.from(weight(ins[1]).data, Math.round);
        return b.node('Reshape', [nhwc, b.int64(`${n.name}/shape`, shape)], n.name);
      }
      default:
        throw new FerkitError('BAD_MODEL', `${n.name}: TensorFlow op ${n.op} has no ONNX mapping in ferkit's converter`);
    }
  };
  for (const o of outputs) b.output('Identity', [value(o.node)], o.name);
  return b.encode(
    meta.name,
    meta.docString,
    [{ name: DETECTOR_INPUT, dims: meta.inputShape }],
    // shapes left to the runtime's inference (an empty shape would declare scalars, which onnxruntime-web refuses)
    outputs.map((o) => ({ name: o.name })),
    meta.ferkitVersion ? { ferkit_version: meta.ferkitVersion } : {},
  );
}

const BN_EPSILON = 0.0010000000474974513;

/** Conv + offset + ReLU6, face-api.js's "pointwise" layer of SSD-MobileNet (also 3x3 for the first). */
function pointwiseLayer(b: OnnxGraphBuilder, x: string, prefix: string, strides: number): string {
  const y = b.conv(x, b.weight(`${prefix}/weights`), b.weight(`${prefix}/convolution_bn_offset`), strides, 'SAME', prefix);
  return relu6(b, y, prefix);
}

function relu6(b: OnnxGraphBuilder, x: string, prefix: string): string {
  return b.node('Clip', [x, b.scalar(`${prefix}/lo`, 0), b.scalar(`${prefix}/hi`, 6)], `${prefix}/relu6`);
}

/** Depthwise conv, batch norm folded into it, ReLU6. */
function depthwiseBnLayer(b: OnnxGraphBuilder, x: string, prefix: string, strides: number): string {
  const k = b.weight(`${prefix}/depthwise_weights`);
  const gamma = b.weight(`${prefix}/BatchNorm/gamma`).data;
  const beta = b.weight(`${prefix}/BatchNorm/beta`).data;
  const mean = b.weight(`${prefix}/BatchNorm/moving_mean`).data;
  const variance = b.weight(`${prefix}/BatchNorm/moving_variance`).data;
  const channels = k.shape[2];
  const scale = Float32Array.from({ length: channels }, (_, c) => gamma[c] / Math.sqrt(variance[c] + BN_EPSILON));
  const data = k.data.slice();
  // kernel [kh, kw, in, 1]: channel c at every tap
  for (let i = 0; i < data.length; i++) data[i] *= scale[i % channels];
  const bias = Float32Array.from({ length: channels }, (_, c) => beta[c] - mean[c] * scale[c]);
  return relu6(b, b.depthwise(x, { data, shape: k.shape }, bias, strides, 'SAME', prefix), prefix);
}

/** A prediction head's output [1, C, H, W] as [1, H*W*anchors, values], in TensorFlow's order. */
function head(b: OnnxGraphBuilder, x: string, prefix: string, values: number): string {
  const y = b.conv(x, b.weight(`${prefix}/weights`), b.weight(`${prefix}/biases`), 1, 'SAME', prefix);
  const nhwc = b.node('Transpose', [y], `${prefix}/nhwc`, { perm: { ints: NCHW_TO_NHWC } });
  return b.node('Reshape', [nhwc, b.int64(`${prefix}/shape`, [1, -1, values])], `${prefix}/reshape`);
}

/**
 * SSD-MobileNet v1 as face-api.js runs it: input [1, 3, 512, 512] scaled
 * to -1..1; outputs `boxes` [1, 5118, 4] (top, left, bottom, right,
 * 0..1 of the input) decoded from the anchors, and `scores` [1, 5118, 1]
 * (the face class's sigmoid).
 */
export function ssdMobilenetOnnx(weights: WeightMap, ferkitVersion?: string): Uint8Array {
  const b = new OnnxGraphBuilder(weights);
  let x = pointwiseLayer(b, DETECTOR_INPUT, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11 = '';
  for (let i = 1; i <= 13; i++) {
    x = depthwiseBnLayer(b, x, `MobilenetV1/Conv2d_${i}_depthwise`, [2, 4, 6, 12].includes(i) ? 2 : 1);
    x = pointwiseLayer(b, x, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = x;
  }
  const features = [conv11, x];
  let p = x;
  for (let i = 0; i < 8; i++) {
    p = pointwiseLayer(b, p, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    if (i % 2 === 1) features.push(p);
  }
  const encodings = features.map((f, i) => head(b, f, `Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, 4));
  const classes = features.map((f, i) => head(b, f, `Prediction/BoxPredictor_${i}/ClassPredictor`, 3));
  const enc = b.node('Concat', encodings, 'encodings', { axis: { i: 1 } });
  const cls = b.node('Concat', classes, 'classes', { axis: { i: 1 } });
  // anchors [1, A, 4] as top, left, bottom, right: centres and sizes (y, x)
  const anchors = b.weight('Output/extra_dim');
  const count = anchors.shape[1];
  const centre = new Float32Array(count * 2);
  const size = new Float32Array(count * 2);
  for (let a = 0; a < count; a++) {
    const [y0, x0, y1, x1] = anchors.data.subarray(a * 4, a * 4 + 4);
    size[2 * a] = y1 - y0;
    size[2 * a + 1] = x1 - x0;
    centre[2 * a] = y0 + size[2 * a] / 2;
    centre[2 * a + 1] = x0 + size[2 * a + 1] / 2;
  }
  const sizeC = b.constant('anchor_size', [1, count, 2], size);
  const centreC = b.constant('anchor_centre', [1, count, 2], centre);
  const slice = (input: string, start: number, end: number, name: string) =>
    b.node('Slice', [input, b.int64(`${name}/starts`, [start]), b.int64(`${name}/ends`, [end]), b.int64(`${name}/axes`, [2])], name);
  const offset = slice(enc, 0, 2, 'offset');
  const logSize = slice(enc, 2, 4, 'log_size');
  const mid = b.node('Add', [b.node('Mul', [b.node('Div', [offset, b.scalar('ten', 10)], 'offset_scaled'), sizeC], 'offset_px'), centreC], 'mid');
  const half = b.node(
    'Div',
    [b.node('Mul', [b.node('Exp', [b.node('Div', [logSize, b.scalar('five', 5)], 'log_size_scaled')], 'size_factor'), sizeC], 'box_size'), b.scalar('two', 2)],
    'half',
  );
  const lo = b.node('Sub', [mid, half], 'lo');
  const hi = b.node('Add', [mid, half], 'hi');
  b.output('Concat', [lo, hi], 'boxes', { axis: { i: 2 } });
  const faceLogit = slice(cls, 1, 2, 'face_logit');
  b.output('Sigmoid', [faceLogit], 'scores');
  return b.encode(
    'ssd_mobilenetv1',
    'SSD-MobileNet v1 face detector (face-api.js weights, MIT), decoded boxes and face scores',
    [{ name: DETECTOR_INPUT, dims: [1, 3, SSD_SIZE, SSD_SIZE] }],
    [
      { name: 'boxes', dims: [1, count, 4] },
      { name: 'scores', dims: [1, count, 1] },
    ],
    ferkitVersion ? { ferkit_version: ferkitVersion } : {},
  );
}

/**
 * face-api.js's 68-point landmark net: input [n, 3, 112, 112] (mean RGB
 * subtracted, divided by 255); output `landmarks` [n, 136], x and y
 * interleaved, 0..1 of the padded square input.
 */
export function landmarksOnnx(weights: WeightMap, ferkitVersion?: string): Uint8Array {
  const b = new OnnxGraphBuilder(weights);
  const flat = faceApiFeatures(b, DETECTOR_INPUT);
  const fc = b.weight('fc/weights');
  const w = b.constant('fc/W', fc.shape, fc.data);
  const bias = b.weight('fc/bias');
  b.output('Gemm', [flat, w, b.constant('fc/B', bias.shape, bias.data)], LANDMARKS_OUTPUT);
  return b.encode(
    'face_landmark_68',
    "face-api.js's 68-point face landmark net (MIT)",
    [{ name: DETECTOR_INPUT, dims: ['batch', 3, LANDMARKS_SIZE, LANDMARKS_SIZE] }],
    [{ name: LANDMARKS_OUTPUT, dims: ['batch', 136] }],
    ferkitVersion ? { ferkit_version: ferkitVersion } : {},
  );
}
