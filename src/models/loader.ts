/**
 * Loading a saved model from wherever its files are: a folder on disk
 * (src/node/model-folder.ts), a web server (src/browser/model-url.ts) or
 * memory. Platform-neutral: the files come through `ModelFiles`.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import { averageModels } from './ensemble.js';
import type { ModelMetadata } from './metadata.js';
import { checkMetadata, checkModelJson, checkNetwork, checkTopologyName, checkWeightBytes, excerpt, isSafeModelPath } from './validate.js';
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
    throw new FerkitError('BAD_MODEL', `${files.location}: ${path} is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: files.location, cause: err });
  }
}

/**
 * ferkit.json, checked (src/models/validate.ts). A model without one is
 * refused: without it ferkit cannot know the labels' order or the input.
 */
export async function readMetadataFrom(files: ModelFiles): Promise<ModelMetadata> {
  const meta = await readModelJson<unknown>(files, 'ferkit.json');
  if (meta === undefined) {
    throw new FerkitError(
      'BAD_MODEL',
      `${files.location}: ferkit.json is missing, so the model's labels and input are unknown. If a \`ferkit train\` run was saving into this folder, run the same command again with --resume to finish the save; otherwise give the folder of a model written by ferkit train, export or ensemble`,
      { file: files.location, options: ['resume'] },
    );
  }
  return checkMetadata(meta, files.location);
}

/**
 * Loads a model written by `ferkit train`, `export` or `ensemble`: a
 * single network (model.json + weights), or an ensemble whose member
 * networks come back as one model that averages them.
 */
export async function loadModelFrom(files: ModelFiles): Promise<LoadedModel> {
  const raw = await readModelJson<unknown>(files, 'model.json');
  if (raw === undefined && (await files.read('ferkit.json')) === undefined) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${files.location} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name`, { file: files.location });
  }
  const meta = await readMetadataFrom(files);
  if (raw !== undefined) return { model: await loadNetwork(files, '', checkModelJson(raw, files.location), meta), meta };
  if (!meta.members?.length) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${files.location} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name`, { file: files.location });
  }
  const loaded: tf.LayersModel[] = [];
  try {
    for (const [i, member] of meta.members.entries()) {
      const memberRaw = await readModelJson<unknown>(files, `${member}/model.json`);
      if (memberRaw === undefined) throw new FerkitError('BAD_MODEL', `${files.location}: ensemble member ${member} has no model.json`, { file: files.location });
      // members of an ensemble need distinct names inside it
      loaded.push(await loadNetwork(files, `${member}/`, checkModelJson(memberRaw, files.location, `${member}/model.json`), meta, `member_${i + 1}`));
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
    if (!isSafeModelPath(path)) {
      throw new FerkitError('BAD_MODEL', `${files.location}: the weight file "${excerpt(path)}" lies outside the model's folder; only relative paths inside it are read`, {
        file: files.location,
      });
    }
    const bytes = await files.read(prefix + path);
    if (!bytes) throw new FerkitError('BAD_MODEL', `${files.location}: weight file ${prefix + path} is missing`, { file: files.location });
    parts.push(bytes);
  }
  const data = concatBytes(parts);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** One network, checked against ferkit.json: architecture, input, outputs, parameters and finite weights. */
async function loadNetwork(files: ModelFiles, prefix: string, json: ModelJson, meta: ModelMetadata, name?: string): Promise<tf.LayersModel> {
  const file = `${prefix}model.json`;
  checkTopologyName(json, meta, files.location, file);
  if (name && json.modelTopology?.config) json.modelTopology.config.name = name;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = await readWeightData(files, json.weightsManifest, prefix);
  checkWeightBytes(specs, weightData.byteLength, files.location, json.weightsManifest.flatMap((g) => g.paths.map((p) => prefix + p)).join(', '));
  // built, then filled: a model whose weights do not fit is disposed, not leaked
  let model: tf.LayersModel | undefined;
  const variablesBefore = new Set(Object.keys(tf.engine().state.registeredVariables));
  try {
    model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as unknown as tf.io.ModelJSON);
    const weights = tf.io.decodeWeights(weightData, specs);
    try {
      model.loadWeights(weights);
    } finally {
      tf.dispose(Object.values(weights));
    }
  } catch (err) {
    if (model) model.dispose();
    else {
      // a topology that fails half-way leaves the weights of the layers built before the failure: free them
      for (const [name, v] of Object.entries(tf.engine().state.registeredVariables)) if (!variablesBefore.has(name)) v.dispose();
    }
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_MODEL', `${files.location}: ${file} cannot be loaded (${excerpt((err as Error)?.message ?? err, 120)})`, {
      file: files.location,
      cause: err,
    });
  }
  try {
    checkNetwork(model, meta, files.location, file, json.weightsManifest.flatMap((g) => g.paths.map((p) => prefix + p)).join(', '));
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
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
