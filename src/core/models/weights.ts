/**
 * Weights as bytes: the TensorFlow.js weights format, float16 storage, and
 * the model.json a saved model carries. Pure encoding; reading and writing
 * files is the adapters' part (src/store/folder.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { concatBytes } from '../numeric.js';
import { FerkitError } from '../errors.js';

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Weights as named tensors, in the model's own order, named `layer/weight`. */
export function namedWeights(model: tf.LayersModel): NamedTensor[] {
  const values = model.getWeights();
  return model.weights.map((w, i) => ({ name: w.originalName, tensor: values[i] }));
}

/** Encodes named tensors to one binary blob and its specs (tfjs weights format). */
export async function encodeTensors(tensors: NamedTensor[]): Promise<{ data: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const buf = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(tf.io.concatenateArrayBuffers(data as ArrayBuffer[]));
  return { data: buf, specs };
}

/** IEEE 754 half-precision bits of a number, rounded to nearest even. */
export function float16Bits(x: number): number {
  return float16FromFloat32Bits(new Uint32Array(Float32Array.of(x).buffer)[0]);
}

/** Half-precision bits of a float32 given by its bits, rounded to nearest even. */
function float16FromFloat32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/**
 * Re-encodes float32 weights as float16 with the tfjs `quantization` entry,
 * so any TensorFlow.js loader decodes them back to float32. Other dtypes
 * are kept as they are.
 */
export function toFloat16Weights(data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): { data: Uint8Array; specs: tf.io.WeightsManifestEntry[] } {
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization) throw new FerkitError('BAD_MODEL', `weight ${spec.name} is already quantized (${spec.quantization.dtype})`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (spec.dtype === 'bool' ? 1 : 4);
    const chunk = data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== 'float32') {
      parts.push(chunk);
      out.push(spec);
      continue;
    }
    const bits = new Uint32Array(chunk.slice().buffer);
    const half = new Uint16Array(size);
    for (let i = 0; i < size; i++) half[i] = float16FromFloat32Bits(bits[i]);
    parts.push(new Uint8Array(half.buffer));
    out.push({ ...spec, quantization: { dtype: 'float16' } });
  }
  return { data: concatBytes(parts), specs: out };
}

export function decodeTensors(data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): tf.NamedTensorMap {
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(ab, specs);
}

/** Topology with ferkit's training-only layers swapped for their standard Keras twins. */
export function portableTopology(model: tf.LayersModel): unknown {
  const json = JSON.stringify(model.toJSON(null, false));
  return JSON.parse(json.replace(/"class_name":"SeededDropout","config":\{([^{}]*)\}/g, (_m, cfg: string) => {
    const c = JSON.parse(`{${cfg}}`) as Record<string, unknown>;
    delete c['seed'];
    return `"class_name":"Dropout","config":${JSON.stringify({ ...c, noise_shape: null, seed: null })}`;
  }));
}


export { concatBytes } from '../numeric.js';

/** What a TensorFlow.js layers model.json holds. */
export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { config?: { name?: string } } & Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** The model.json of a model whose weights are stored in one file, `weights.bin`, with these specs. */
export function modelJson(model: tf.LayersModel, specs: tf.io.WeightsManifestEntry[]): ModelJson {
  return {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'ferkit',
    modelTopology: portableTopology(model) as ModelJson['modelTopology'],
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
}
