/**
 * The ONNX messages ferkit writes (onnx/onnx.proto: ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto,
 * StringStringEntryProto), as plain objects, and their encoding.
 * Platform-neutral.
 */
import { ProtoWriter } from './protobuf.js';

/** The ONNX operator set the graph is written for (ai.onnx). */
export const ONNX_OPSET = 17;
/** The ONNX IR version of that operator set's release. */
export const ONNX_IR_VERSION = 8;

/** TensorProto.DataType values ferkit uses. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** A constant tensor (an initializer): float32 or int64, row-major. */
export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A node attribute; the type follows from the value. */
export type OnnxAttributeValue = { f: number } | { i: number } | { s: string } | { ints: readonly number[] } | { floats: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

/** A graph input or output: a float32 tensor whose dimensions are sizes or named (symbolic) sizes. */
export interface OnnxValueInfo {
  name: string;
  /** Its shape; absent, none is declared and the runtime infers it (`[]` declares a scalar). */
  dims?: readonly (number | string)[];
  docString?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  /** ModelProto.metadata_props: free key/value strings. */
  metadata: Readonly<Record<string, string>>;
}

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttributeValue): void {
  w.string(1, name);
  if ('f' in value) w.int(20, ATTRIBUTE_TYPE.FLOAT).float(2, value.f);
  else if ('i' in value) w.int(20, ATTRIBUTE_TYPE.INT).int(3, value.i);
  else if ('s' in value) w.int(20, ATTRIBUTE_TYPE.STRING).string(4, value.s);
  else if ('ints' in value) w.int(20, ATTRIBUTE_TYPE.INTS).packedInts(8, value.ints);
  else w.int(20, ATTRIBUTE_TYPE.FLOATS).packedFloats(7, value.floats);
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, (a) => writeAttribute(a, name, value));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** raw_data: fixed-width little-endian values, as the format requires whatever the host's byte order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return raw;
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedInts(1, t.dims);
  w.int(2, t.data instanceof Float32Array ? DataType.FLOAT : DataType.INT64);
  w.string(8, t.name);
  w.bytes(9, littleEndianBytes(t.data));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto.tensor_type { elem_type, shape { dim { dim_value | dim_param } } }
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DataType.FLOAT);
      const dims = v.dims;
      if (dims)
        tensor.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
    }),
  );
  if (v.docString) w.string(3, v.docString);
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.docString) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o));
}

/** The ModelProto bytes of a model: what an `.onnx` file holds. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  // the default operator set ("" = ai.onnx)
  w.message(8, (o) => o.string(1, '').int(2, model.opsetVersion));
  for (const [key, value] of Object.entries(model.metadata)) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
