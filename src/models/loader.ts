/**
 * Loading a saved model from wherever its files are: a folder on disk
 * (src/node/model-folder.ts), a web server (src/browser/model-url.ts) or
 * memory. Platform-neutral: the files come through `ModelFiles`.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import { averageModels } from './ensemble.js';
import { plainModelMetadata, type ModelMetadata } from './metadata.js';
import { concatBytes, type ModelJson } from './weights.js';

/** The files of one saved model, by path relative to the model (`model.json`, `member-1/weights.bin`). */
export interface ModelFiles {
  /** The folder or URL, for messages. */
  readonly location: string;
  /** A file's bytes, or undefined when the model has no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
}

/** A model ready to run, with what ferkit knows of it. */
export interface LoadedModel {
  model: tf.LayersModel;
  meta: ModelMetadata;
}

const utf8 = new TextDecoder();

/** A JSON file of a model, or undefined when it has none. */
export async function readModelJson<T>(files: ModelFiles, path: string): Promise<T | undefined> {
  const bytes = await files.read(path);
  if (!bytes) return undefined;
  try {
    return JSON.parse(utf8.decode(bytes)) as T;
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${files.location}: ${path} is not valid JSON (${(err as Error).message})`, { file: files.location, cause: err });
  }
}

/** ferkit.json, or the metadata assumed for a plain TensorFlow.js model without one. */
export async function readMetadataFrom(files: ModelFiles): Promise<ModelMetadata> {
  return (await readModelJson<ModelMetadata>(files, 'ferkit.json')) ?? plainModelMetadata();
}

/**
 * Loads a model written by `ferkit train`, `export` or `ensemble`: a
 * single network (model.json + weights), or an ensemble whose member
 * networks come back as one model that averages them.
 */
export async function loadModelFrom(files: ModelFiles): Promise<LoadedModel> {
  const json = await readModelJson<ModelJson>(files, 'model.json');
  const meta = await readMetadataFrom(files);
  if (json) return { model: await loadNetwork(files, '', json), meta };
  if (!meta.members?.length) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${files.location} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name`, { file: files.location });
  }
  const loaded: tf.LayersModel[] = [];
  try {
    for (const [i, member] of meta.members.entries()) {
      const memberJson = await readModelJson<ModelJson>(files, `${member}/model.json`);
      if (!memberJson) throw new FerkitError('BAD_MODEL', `${files.location}: ensemble member ${member} has no model.json`, { file: files.location });
      // members of an ensemble need distinct names inside it
      loaded.push(await loadNetwork(files, `${member}/`, memberJson, `member_${i + 1}`));
    }
    return { model: averageModels(loaded), meta };
  } catch (err) {
    loaded.forEach((m) => m.dispose());
    throw err;
  }
}

/** The weight files a model.json names (relative to `prefix`), joined in manifest order. */
export async function readWeightData(files: ModelFiles, manifest: ModelJson['weightsManifest'], prefix = ''): Promise<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (const path of manifest.flatMap((g) => g.paths)) {
    const bytes = await files.read(prefix + path);
    if (!bytes) throw new FerkitError('BAD_MODEL', `${files.location}: weight file ${prefix + path} is missing`, { file: files.location });
    parts.push(bytes);
  }
  const data = concatBytes(parts);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

async function loadNetwork(files: ModelFiles, prefix: string, json: ModelJson, name?: string): Promise<tf.LayersModel> {
  if (name && json.modelTopology?.config) json.modelTopology.config.name = name;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: await readWeightData(files, json.weightsManifest, prefix),
      }),
    );
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_MODEL', `${files.location}: cannot load the model (${(err as Error).message})`, { file: files.location, cause: err });
  }
}

/**
 * A TensorFlow.js graph model (a converted TensorFlow SavedModel, such as
 * the face detectors published in npm packages) from its JSON file and the
 * weight files it names.
 */
export async function loadGraphModelFrom(files: ModelFiles, path: string): Promise<tf.GraphModel> {
  const json = await readModelJson<ModelJson & { format?: string }>(files, path);
  if (!json) throw new FerkitError('MODEL_NOT_FOUND', `no ${path} in ${files.location}; give the folder that holds it`, { file: files.location });
  const slash = path.lastIndexOf('/');
  try {
    return await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: await readWeightData(files, json.weightsManifest, path.slice(0, slash + 1)),
        format: json.format ?? 'graph-model',
      }),
    );
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_MODEL', `${files.location}: cannot load ${path} (${(err as Error).message})`, { file: files.location, cause: err });
  }
}
