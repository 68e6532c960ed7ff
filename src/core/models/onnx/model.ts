/**
 * A ferkit model as an ONNX file: the network, ferkit's calibration as
 * nodes after it, and what a caller needs to feed it and read it as
 * metadata. Platform-neutral: returns bytes.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../metadata.js';
import { convertLayersModel } from './convert.js';
import { encodeModel, ONNX_IR_VERSION, ONNX_OPSET, type OnnxNode, type OnnxTensor } from '../../onnx/proto.js';
import { readFields } from '../../onnx/protobuf.js';

export { ONNX_IR_VERSION, ONNX_OPSET } from '../../onnx/proto.js';

import { ONNX_INPUT, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from './names.js';
export { ONNX_INPUT, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from './names.js';

/** Keys of the model's metadata_props. Values are JSON, except `architecture` and `ferkit_version`, which are plain text. */
export const ONNX_METADATA_KEYS = ['labels', 'preprocessing', 'calibration', 'architecture', 'ferkit_version', 'outputs'] as const;

/** The smallest probability calibration takes the log of (as `applyCalibration` does). */
const LOG_FLOOR = 1e-12;

export interface OnnxExportOptions {
  /** ferkit's version, written as producer_version and metadata. */
  ferkitVersion?: string;
}

/** What the metadata says about the input: ferkit's preprocessing, and the tensor it becomes. */
export interface OnnxPreprocessing {
  inputSize: number;
  channels: number;
  colour: string;
  scale: number;
  /** The input tensor's layout: [batch, height, width, channels]. */
  layout: 'NHWC';
  dtype: 'float32';
}

/** The calibration the `probabilities` output applies: softmax(log(max(p, 1e-12)) / temperature + classBias). */
export interface OnnxCalibration {
  temperature: number;
  classBias: number[] | null;
  /** Where the model's temperature was fitted, and on how many faces. */
  fittedOn?: string;
  samples?: number;
}

/** The calibration nodes: `uncalibrated` in, `probabilities` out. */
function calibrationNodes(calibration: OnnxCalibration | null, k: number): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  if (!calibration || (calibration.temperature === 1 && !calibration.classBias)) {
    return { nodes: [{ opType: 'Identity', inputs: [ONNX_UNCALIBRATED], outputs: [ONNX_PROBABILITIES], name: 'calibration/identity' }], initializers: [] };
  }
  const initializers: OnnxTensor[] = [
    { name: 'calibration/floor', dims: [], data: new Float32Array([LOG_FLOOR]) },
    { name: 'calibration/temperature', dims: [], data: new Float32Array([calibration.temperature]) },
  ];
  const nodes: OnnxNode[] = [
    { opType: 'Max', inputs: [ONNX_UNCALIBRATED, 'calibration/floor'], outputs: ['calibration/floored'], name: 'calibration/floored' },
    { opType: 'Log', inputs: ['calibration/floored'], outputs: ['calibration/log'], name: 'calibration/log' },
    { opType: 'Div', inputs: ['calibration/log', 'calibration/temperature'], outputs: ['calibration/scaled'], name: 'calibration/scaled' },
  ];
  let logits = 'calibration/scaled';
  if (calibration.classBias) {
    initializers.push({ name: 'calibration/class_bias', dims: [k], data: Float32Array.from(calibration.classBias) });
    nodes.push({ opType: 'Add', inputs: [logits, 'calibration/class_bias'], outputs: ['calibration/biased'], name: 'calibration/biased' });
    logits = 'calibration/biased';
  }
  nodes.push({ opType: 'Softmax', inputs: [logits], outputs: [ONNX_PROBABILITIES], name: 'calibration/softmax', attributes: { axis: { i: -1 } } });
  return { nodes, initializers };
}

/**
 * The ONNX model (ModelProto bytes) of a loaded ferkit model: input
 * `faces` [batch, 48, 48, 1] float32 NHWC, grey pixels times
 * `preprocessing.scale` (pixel / 255) as ferkit feeds its models; outputs
 * `probabilities` [batch, 7] (calibrated as ferkit reports them) and
 * `uncalibrated` (the network's own softmax). Labels, preprocessing and
 * calibration are in metadata_props. Reads the weights; leaves no tensor behind.
 */
export function onnxModelBytes(model: tf.LayersModel, meta: ModelMetadata, options: OnnxExportOptions = {}): Uint8Array {
  const converted = convertLayersModel(model, { input: ONNX_INPUT });
  const k = converted.outputSize;
  // the network's output gets its public name
  const rename = (n: string) => (n === converted.output ? ONNX_UNCALIBRATED : n);
  const nodes = converted.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) }));
  const c = meta.calibration;
  const calibration: OnnxCalibration | null = c
    ? { temperature: c.temperature, classBias: c.classBias ?? null, fittedOn: c.fittedOn, samples: c.samples }
    : null;
  const cal = calibrationNodes(calibration, k);
  const preprocessing: OnnxPreprocessing = { ...meta.preprocessing, layout: 'NHWC', dtype: 'float32' };
  const version = options.ferkitVersion ?? 'unknown';
  const [h, w, ch] = converted.inputShape;
  return encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'ferkit',
    producerVersion: version,
    docString: `ferkit emotion model (${meta.architecture}): ${meta.labels.join(', ')}`,
    graph: {
      name: meta.architecture.replace(/[^\w.-]/g, '_') || 'ferkit',
      nodes: [...nodes, ...cal.nodes],
      initializers: [...converted.initializers, ...cal.initializers],
      inputs: [{ name: ONNX_INPUT, dims: ['batch', h, w, ch], docString: `grey faces, NHWC, pixel * ${meta.preprocessing.scale}` }],
      outputs: [
        { name: ONNX_PROBABILITIES, dims: ['batch', k], docString: 'class probabilities in label order, calibrated as ferkit reports them' },
        { name: ONNX_UNCALIBRATED, dims: ['batch', k], docString: "the network's own softmax, before calibration" },
      ],
    },
    metadata: {
      labels: JSON.stringify(meta.labels),
      preprocessing: JSON.stringify(preprocessing),
      calibration: JSON.stringify(calibration),
      architecture: meta.architecture,
      ferkit_version: version,
      outputs: JSON.stringify({
        [ONNX_PROBABILITIES]: 'calibrated: softmax(log(max(uncalibrated, 1e-12)) / temperature + classBias); equal to uncalibrated without calibration',
        [ONNX_UNCALIBRATED]: "the network's softmax",
      }),
    },
  });
}

/** The metadata_props of an ONNX file (ModelProto bytes), as written: values are strings (JSON for labels, preprocessing, calibration, outputs). */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const text = new TextDecoder();
  const out: Record<string, string> = {};
  for (const f of readFields(bytes)) {
    if (f.field !== 14 || !f.bytes) continue;
    let key = '';
    let value = '';
    for (const e of readFields(f.bytes)) {
      if (e.field === 1) key = text.decode(e.bytes);
      else if (e.field === 2) value = text.decode(e.bytes);
    }
    out[key] = value;
  }
  return out;
}
