import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerkitError } from '../errors.js';
import { EMOTIONS } from '../labels.js';
import { IMAGE_SIZE } from '../data/dataset.js';
import { averageModels } from './ensemble.js';

/** How a model expects its input; stored with the model. */
export interface Preprocessing {
  inputSize: number;
  channels: 1;
  /** grey = ITU-R BT.601 luminance of the RGB image. */
  colour: 'grey';
  /** pixel / 255, giving [0,1]. */
  scale: number;
}

export const DEFAULT_PREPROCESSING: Preprocessing = { inputSize: IMAGE_SIZE, channels: 1, colour: 'grey', scale: 1 / 255 };

/** A fitted temperature and what it did on the data it was fitted on. */
export interface Calibration {
  temperature: number;
  /** Expected calibration error before and after, on `fittedOn`. */
  eceBefore: number;
  eceAfter: number;
  nllBefore: number;
  nllAfter: number;
  fittedOn: string;
  samples: number;
  /**
   * Log-space offsets per class, added after the temperature, that maximise
   * macro-F1 on `fittedOn` (threshold moving; `ferkit calibrate --class-bias`).
   */
  classBias?: number[];
  /** Macro-F1 on `fittedOn` without and with the class bias. */
  macroF1Before?: number;
  macroF1After?: number;
}

/** ferkit.json: what ferkit knows of a saved model beyond its weights. */
export interface ModelMetadata {
  format: 'ferkit-model';
  formatVersion: 1;
  /** Registry name of the architecture. */
  architecture: string;
  /** Output classes in output order. */
  labels: string[];
  preprocessing: Preprocessing;
  /** The configuration the model was trained with. */
  training?: Record<string, unknown>;
  /** Final metrics, e.g. { validation: { accuracy, loss }, train: {...} }. */
  metrics?: Record<string, unknown>;
  parameters?: number;
  /** Temperature scaling fitted on held-out data; applied to every prediction. */
  calibration?: Calibration;
  createdAt?: string;
  description?: string;
  /** How weights.bin stores the weights (float32 unless exported with --float16). */
  weightsDtype?: WeightsDtype;
  /** Batch norms folded into the layers before them (an inference-only copy made by `ferkit export`). */
  foldedBatchNorm?: boolean;
  /**
   * An ensemble (`ferkit ensemble`): the sub-folders holding its member
   * models, whose probabilities it averages. Such a folder has no model.json
   * of its own.
   */
  members?: string[];
}

/** float32, or float16 (half the size; tfjs decodes it back to float32 on load). */
export type WeightsDtype = 'float32' | 'float16';

export interface SaveOptions {
  /** Storage type of the weights (default float32). */
  weights?: WeightsDtype;
}

export interface SavedModel {
  model: tf.LayersModel;
  meta: ModelMetadata;
  dir: string;
}

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
  return { data: Buffer.concat(parts), specs: out };
}

export function decodeTensors(data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): tf.NamedTensorMap {
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(ab, specs);
}

/** Writes a file atomically (write to a temporary name, then rename). */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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

/**
 * Saves a model as a folder: `model.json` + `weights.bin` (the TensorFlow.js
 * layers format, loadable by `tf.loadLayersModel` in a browser too) and
 * `ferkit.json` (labels, preprocessing, architecture, training config, metrics).
 */
export async function saveModel(model: tf.LayersModel, dir: string, meta: Omit<ModelMetadata, 'format' | 'formatVersion'>, options: SaveOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const weightsDtype = options.weights ?? 'float32';
  const encoded = await encodeTensors(namedWeights(model));
  const { data, specs } = weightsDtype === 'float16' ? toFloat16Weights(encoded.data, encoded.specs) : encoded;
  writeAtomic(join(dir, 'weights.bin'), data);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'ferkit',
    modelTopology: portableTopology(model),
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
  const full: ModelMetadata = { format: 'ferkit-model', formatVersion: 1, ...meta, weightsDtype, parameters: model.countParams(), createdAt: meta.createdAt ?? new Date().toISOString() };
  writeAtomic(join(dir, 'ferkit.json'), JSON.stringify(full, null, 2) + '\n');
}

/** The ferkit.json of a model folder, or a minimal one for a plain tfjs model folder. */
export function readMetadata(dir: string): ModelMetadata {
  const metaPath = join(dir, 'ferkit.json');
  if (!existsSync(metaPath)) return { format: 'ferkit-model', formatVersion: 1, architecture: 'unknown', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
  try {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as ModelMetadata;
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: ferkit.json is not valid JSON (${(err as Error).message})`, { file: dir, cause: err });
  }
}

/**
 * Loads a model folder written by `ferkit train`, `export` or `ensemble`
 * (an ensemble comes back as one model that averages its members). A bare
 * name that is not a folder here, such as `default` or `paper`, names a
 * bundled model.
 */
export async function loadModel(nameOrDir: string): Promise<SavedModel> {
  const dir = resolveModelDir(nameOrDir);
  const meta = existsSync(join(dir, 'model.json')) ? undefined : readMetadata(dir);
  if (meta?.members) {
    const loaded: tf.LayersModel[] = [];
    try {
      for (const [i, m] of meta.members.entries()) loaded.push((await loadLayersModel(join(dir, m), `member_${i + 1}`)).model);
      return { model: averageModels(loaded), meta, dir };
    } catch (err) {
      loaded.forEach((m) => m.dispose());
      throw err;
    }
  }
  return loadLayersModel(dir);
}

async function loadLayersModel(dir: string, name?: string): Promise<SavedModel> {
  const modelPath = join(dir, 'model.json');
  if (!existsSync(modelPath)) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${dir} (model.json missing). Pass a folder written by \`ferkit train\` (--model DIR), or leave --model out to use the bundled model.`, { file: dir });
  }
  const meta = readMetadata(dir);
  let modelJson: { modelTopology: { config?: { name?: string } }; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    modelJson = JSON.parse(readFileSync(modelPath, 'utf8'));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: model.json is not valid JSON (${(err as Error).message})`, { file: dir, cause: err });
  }
  // members of an ensemble need distinct names inside it
  if (name && modelJson.modelTopology.config) modelJson.modelTopology.config.name = name;
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: readWeightData(dir, modelJson.weightsManifest),
    }));
    return { model, meta, dir };
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: cannot load the model (${(err as Error).message})`, { file: dir, cause: err });
  }
}

/** The weight files of a tfjs weights manifest (paths relative to `dir`), read and joined in manifest order. */
export function readWeightData(dir: string, manifest: readonly { paths: string[] }[]): ArrayBuffer {
  const data = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/**
 * The folders holding a model's networks, relative to `dir`: `.` for a single
 * network, an ensemble's members in order.
 */
export function networkFolders(dir: string, meta: ModelMetadata = readMetadata(dir)): string[] {
  const folders = existsSync(join(dir, 'model.json')) ? ['.'] : meta.members ?? [];
  if (folders.length === 0) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${dir} (model.json missing); pass a folder written by \`ferkit train\`, \`export\` or \`ensemble\`, or a bundled name (default, paper)`, { file: dir });
  }
  return folders;
}

/** The weight files a network folder's model.json names, relative to the folder. */
export function weightFiles(folder: string): string[] {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest?: { paths: string[] }[] };
  return (json.weightsManifest ?? []).flatMap((g) => g.paths);
}

/**
 * SHA-256 of a model's topology and weights (each network's `model.json` and
 * the weight files it names; an ensemble's members in order): the same for
 * the same model wherever it is stored, another for any other weights. A
 * distilled run records it of its teacher.
 */
export function modelFingerprint(nameOrDir: string): string {
  const dir = resolveModelDir(nameOrDir);
  const hash = createHash('sha256');
  for (const folder of networkFolders(dir)) {
    const path = join(dir, folder);
    hash.update(readFileSync(join(path, 'model.json')));
    for (const f of weightFiles(path)) hash.update(readFileSync(join(path, f)));
  }
  return hash.digest('hex');
}

/** The folder of ferkit's bundled models (`models/` in the package). */
export function bundledModelsDir(): string {
  // dist/src/models/io.js -> package root
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
}

/** A folder as given, or for a bare name that is no folder here (`default`, `paper`), the bundled model of that name. */
export function resolveModelDir(nameOrDir: string): string {
  if (existsSync(nameOrDir) || !/^[\w-]+$/.test(nameOrDir)) return nameOrDir;
  const bundled = join(bundledModelsDir(), nameOrDir);
  return existsSync(join(bundled, 'ferkit.json')) || existsSync(join(bundled, 'model.json')) ? bundled : nameOrDir;
}

/** The model used when none is given: models/default, else models/paper. */
export function defaultModelDir(): string {
  const root = bundledModelsDir();
  for (const name of ['default', 'paper']) {
    if (existsSync(join(root, name, 'model.json'))) return join(root, name);
  }
  throw new FerkitError('MODEL_NOT_FOUND', `no bundled model in ${root}; train one with \`ferkit train\` and pass --model DIR`);
}
