import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerkitError } from '../errors.js';
import { EMOTIONS } from '../labels.js';
import { IMAGE_SIZE } from '../data/dataset.js';

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
function portableTopology(model: tf.LayersModel): unknown {
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
export async function saveModel(model: tf.LayersModel, dir: string, meta: Omit<ModelMetadata, 'format' | 'formatVersion'>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { data, specs } = await encodeTensors(namedWeights(model));
  writeAtomic(join(dir, 'weights.bin'), data);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'ferkit',
    modelTopology: portableTopology(model),
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
  const full: ModelMetadata = { format: 'ferkit-model', formatVersion: 1, ...meta, parameters: model.countParams(), createdAt: meta.createdAt ?? new Date().toISOString() };
  writeAtomic(join(dir, 'ferkit.json'), JSON.stringify(full, null, 2) + '\n');
}

/** Reads a model folder written by saveModel. */
export async function loadModel(dir: string): Promise<SavedModel> {
  const modelPath = join(dir, 'model.json');
  if (!existsSync(modelPath)) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${dir} (model.json missing). Pass a folder written by \`ferkit train\` (--model DIR), or leave --model out to use the bundled model.`, { file: dir });
  }
  let meta: ModelMetadata;
  let modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    modelJson = JSON.parse(readFileSync(modelPath, 'utf8'));
    const metaPath = join(dir, 'ferkit.json');
    meta = existsSync(metaPath)
      ? JSON.parse(readFileSync(metaPath, 'utf8'))
      : { format: 'ferkit-model', formatVersion: 1, architecture: 'unknown', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: model.json or ferkit.json is not valid JSON (${(err as Error).message})`, { file: dir, cause: err });
  }
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const chunks = modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const data = Buffer.concat(chunks);
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    }));
    return { model, meta, dir };
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: cannot load the model (${(err as Error).message})`, { file: dir, cause: err });
  }
}

/** The folder of ferkit's bundled models (`models/` in the package). */
export function bundledModelsDir(): string {
  // dist/src/models/io.js -> package root
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
}

/** The model used when none is given: models/default, else models/paper. */
export function defaultModelDir(): string {
  const root = bundledModelsDir();
  for (const name of ['default', 'paper']) {
    if (existsSync(join(root, name, 'model.json'))) return join(root, name);
  }
  throw new FerkitError('MODEL_NOT_FOUND', `no bundled model in ${root}; train one with \`ferkit train\` and pass --model DIR`);
}
