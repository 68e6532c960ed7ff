/**
 * Model folders on disk: saving, loading, the bundled models, fingerprints.
 * The disk side of src/core/models/loader.ts.
 */
import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { loadModelFrom, MAX_MODEL_JSON_BYTES, type LoadedModel } from '../core/models/loader.js';
import type { ModelMetadata, WeightsDtype } from '../core/models/metadata.js';
import { checkMetadata, checkModelJson, excerpt } from '../core/models/validate.js';
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

/** The ferkit.json of a model folder, checked (src/core/models/validate.ts); a folder without one is refused. */
export function readMetadata(dir: string): ModelMetadata {
  const metaPath = join(dir, 'ferkit.json');
  if (!existsSync(metaPath)) throw existsSync(join(dir, 'model.json')) ? missingMetadata(dir) : noModel(dir);
  const bytes = readModelFileSync(dir, 'ferkit.json', MAX_MODEL_JSON_BYTES);
  if (!bytes) throw missingMetadata(dir);
  let meta: unknown;
  try {
    meta = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: ferkit.json is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: dir, cause: err });
  }
  return checkMetadata(meta, dir);
}

/** The error for a model folder without ferkit.json, with the command that completes it where there is one. */
function missingMetadata(dir: string): FerkitError {
  const interruptedRun =
    existsSync(join(dir, 'checkpoint', 'state.json')) || existsSync(join(dir, 'checkpoint.tmp')) || existsSync(join(dir, 'checkpoint.old'));
  return new FerkitError(
    'BAD_MODEL',
    interruptedRun
      ? `${dir}: ferkit.json is missing: the training run saving into this folder was stopped before it finished. Run the same \`ferkit train ... --out ${dir}\` command again with --resume to complete it`
      : `${dir}: ferkit.json is missing, so the model's labels and input are unknown; give the folder of a model written by ferkit train, export or ensemble (an interrupted \`ferkit train\` run is completed by running it again with --resume)`,
    { file: dir, options: ['resume'] },
  );
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

/** Throws, saying what to do, for a folder that holds no model, or a model without its ferkit.json. */
export function checkModelFolder(dir: string): void {
  if (!existsSync(join(dir, 'model.json')) && !existsSync(join(dir, 'ferkit.json'))) {
    throw noModel(dir);
  }
  if (!existsSync(join(dir, 'ferkit.json'))) throw missingMetadata(dir);
}

/** The error for a folder that holds no model. */
function noModel(dir: string): FerkitError {
  return new FerkitError(
    'MODEL_NOT_FOUND',
    `no model in ${dir} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name (${bundledModelNames().join(', ') || 'none installed'})`,
    { file: dir },
  );
}

/**
 * The folders holding a model's networks, relative to `dir`: `.` for a single
 * network, an ensemble's members in order.
 */
export function networkFolders(dir: string, meta?: ModelMetadata): string[] {
  if (existsSync(join(dir, 'model.json'))) return ['.'];
  const folders = existsSync(join(dir, 'ferkit.json')) || meta ? ((meta ?? readMetadata(dir)).members ?? []) : [];
  if (folders.length === 0) {
    throw noModel(dir);
  }
  return folders;
}

/** The weight files a network folder's model.json names, relative to the folder. */
export function weightFiles(folder: string): string[] {
  const bytes = readModelFileSync(folder, 'model.json', MAX_MODEL_JSON_BYTES);
  if (!bytes) throw new FerkitError('BAD_MODEL', `${folder}: model.json is missing`, { file: folder });
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${folder}: model.json is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: folder, cause: err });
  }
  return checkModelJson(json, folder).weightsManifest.flatMap((g) => g.paths);
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
import { bundledModelNames, resolveModelDir } from '../fs/paths.js';
