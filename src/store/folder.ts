/**
 * Model folders on disk: saving, loading, the bundled models, fingerprints.
 * The disk side of src/core/models/loader.ts.
 */
import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { loadModelFrom, type LoadedModel } from '../core/models/loader.js';
import type { ModelMetadata, WeightsDtype } from '../core/models/metadata.js';
import { MAX_MODEL_JSON_BYTES } from '../core/models/validate.js';
import { encodeTensors, modelJson, namedWeights, toFloat16Weights } from '../core/models/weights.js';
import { folderFiles, readModelFileSync } from '../fs/read.js';
import { syncDir, writeAtomic } from '../fs/write.js';
import { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels, isFaceApiExpressionModel } from '../fs/paths.js';

const utf8 = new TextDecoder();

export interface SaveOptions {
  /** Storage type of the weights (default float32). */
  weights?: WeightsDtype;
}

/** A model loaded from a folder. */
export interface SavedModel extends LoadedModel {
  dir: string;
}

export { folderFiles } from '../fs/read.js';
export { checkModelFolder, networkFolders, readMetadata, weightFiles } from './network-files.js';
import { checkModelFolder, networkFolders, weightFiles } from './network-files.js';

/** Writes ferkit.json. */
export function writeMetadata(dir: string, meta: ModelMetadata): void {
  writeAtomic(join(dir, 'ferkit.json'), JSON.stringify(meta, null, 2) + '\n');
}

/**
 * Saves a model as a folder: `model.json` + `weights.bin` (the TensorFlow.js
 * layers format, loadable by `tf.loadLayersModel` in a browser too) and
 * `ferkit.json` (labels, preprocessing, architecture, training config, metrics).
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  meta: Omit<ModelMetadata, 'format' | 'formatVersion'>,
  options: SaveOptions = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const weightsDtype = options.weights ?? 'float32';
  const encoded = await encodeTensors(namedWeights(model));
  const { data, specs } = weightsDtype === 'float16' ? toFloat16Weights(encoded.data, encoded.specs) : encoded;
  // ferkit.json goes first and comes back last: until the save is complete the folder holds no loadable model
  rmSync(join(dir, 'ferkit.json'), { force: true });
  syncDir(dir);
  writeAtomic(join(dir, 'weights.bin'), data);
  writeAtomic(join(dir, 'model.json'), JSON.stringify(modelJson(model, specs)));
  writeMetadata(dir, {
    format: 'ferkit-model',
    formatVersion: 1,
    ...meta,
    weightsDtype,
    parameters: model.countParams(),
    createdAt: meta.createdAt ?? new Date().toISOString(),
  });
}

/**
 * Loads a model folder written by `ferkit train`, `export` or `ensemble`
 * (an ensemble comes back as one model that averages its members). A bare
 * name that is not a folder here, such as `default` or `paper`, names a
 * bundled model.
 */
export async function loadModel(nameOrDir: string): Promise<SavedModel> {
  if (isFaceApiExpressionModel(nameOrDir)) {
    throw new FerkitError(
      'BAD_ARGUMENT',
      `${nameOrDir} is face-api.js's expression net, not a TensorFlow.js layers model, which this needs; eval, predict, serve, ensemble and train --teacher take it`,
    );
  }
  const dir = resolveModelDir(nameOrDir);
  checkModelFolder(dir);
  return { ...(await loadModelFrom(folderFiles(dir))), dir };
}

/**
 * SHA-256 of a model's topology and weights (each network's `model.json` and
 * the weight files it names; an ensemble's members in order): the same for
 * the same model wherever it is stored, another for any other weights. A
 * distilled run records it of its teacher.
 */
export function modelFingerprint(nameOrDir: string): string {
  const faceApi = isFaceApiExpressionModel(nameOrDir);
  const dir = faceApi ? installedFaceApiModels() : resolveModelDir(nameOrDir);
  const hash = createHash('sha256');
  for (const folder of faceApi || isFaceApiFolder(dir) ? ['.'] : networkFolders(dir)) {
    const path = join(dir, folder);
    // face-api.js's expression net: its weight manifest stands for model.json
    const manifest = isFaceApiFolder(path);
    const json = manifest ? FACE_API_EXPRESSION_MANIFEST : 'model.json';
    const bytes = readModelFileSync(path, json, MAX_MODEL_JSON_BYTES) ?? new Uint8Array(0);
    hash.update(bytes);
    for (const f of manifest ? manifestFiles(bytes, path) : weightFiles(path)) {
      const bytes = readModelFileSync(path, f);
      if (!bytes) throw new FerkitError('BAD_MODEL', `${path}: weight file ${f} is missing`, { file: path });
      hash.update(bytes);
    }
  }
  return hash.digest('hex');
}

/** Whether a folder holds face-api.js's expression net (its weight manifest, no model.json). */
function isFaceApiFolder(dir: string): boolean {
  return !existsSync(join(dir, 'model.json')) && existsSync(join(dir, FACE_API_EXPRESSION_MANIFEST));
}

/** The weight files a TensorFlow.js weight manifest names. */
function manifestFiles(bytes: Uint8Array, folder: string): string[] {
  try {
    const groups = JSON.parse(utf8.decode(bytes)) as { paths: string[] }[];
    return groups.flatMap((g) => g.paths);
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${folder}: ${FACE_API_EXPRESSION_MANIFEST} is not valid JSON`, { file: folder, cause: err });
  }
}

export { bundledModelsDir, bundledModelNames, resolveModelDir, defaultModelDir } from '../fs/paths.js';
import { resolveModelDir } from '../fs/paths.js';
