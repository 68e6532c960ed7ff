/**
 * Loading a saved model from wherever its files are: a folder on disk
 * (src/store/folder.ts), a web server (src/browser/model-url.ts) or
 * memory. Platform-neutral: the files come through `ModelFiles`.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import type { ModelFiles } from '../files.js';

export type { ModelFiles } from '../files.js';
import { averageModels } from './ensemble.js';
import { FACE_API_EXPRESSION_ARCHITECTURE } from './face-api-expression.js';
import { listArchitectures } from './architectures.js';
import type { ModelMetadata } from './metadata.js';
import {
  checkMetadata,
  checkModelJson,
  checkNetwork,
  checkTopologyName,
  checkWeightBytes,
  excerpt,
  isSafeModelPath,
  MAX_MODEL_JSON_BYTES,
  weightBytesNeeded,
} from './validate.js';
import { calibrated } from './probabilities.js';
import { concatBytes, type ModelJson } from './weights.js';


/** A model ready to run, with what ferkit knows of it. */
export interface LoadedModel {
  model: tf.LayersModel;
  meta: ModelMetadata;
}

const utf8 = new TextDecoder();

/** A file of a model, of at most `maxBytes`, or undefined when it has none. */
async function readBounded(files: ModelFiles, path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const bytes = await files.read(path, maxBytes);
  if (bytes && bytes.length > maxBytes) {
    throw new FerkitError('BAD_MODEL', `${files.location}: ${excerpt(path)} holds ${bytes.length} bytes, more than the ${maxBytes} it may hold; the file is damaged or comes from another model`, {
      file: files.location,
    });
  }
  return bytes;
}

/** A JSON file of a model, or undefined when it has none. */
export async function readModelJson<T>(files: ModelFiles, path: string): Promise<T | undefined> {
  const bytes = await readBounded(files, path, MAX_MODEL_JSON_BYTES);
  if (!bytes) return undefined;
  try {
    return JSON.parse(utf8.decode(bytes)) as T;
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${files.location}: ${path} is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: files.location, cause: err });
  }
}

/**
 * ferkit.json, checked (src/core/models/validate.ts). A model without one is
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
  if (raw === undefined && (await readBounded(files, 'ferkit.json', MAX_MODEL_JSON_BYTES)) === undefined) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${files.location} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name`, { file: files.location });
  }
  const meta = await readMetadataFrom(files);
  if (raw !== undefined) {
    const model = await loadNetwork(files, '', checkModelJson(raw, files.location), meta);
    try {
      return probed({ model, meta }, files.location);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  if (!meta.members?.length) {
    throw new FerkitError('MODEL_NOT_FOUND', `no model in ${files.location} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name`, { file: files.location });
  }
  if (meta.memberWeights !== undefined || (meta.combine ?? 'probabilities') !== 'probabilities') throw notOneNetwork(files.location);
  const loaded: tf.LayersModel[] = [];
  try {
    for (const [i, member] of meta.members.entries()) {
      const memberRaw = await readModelJson<unknown>(files, `${member}/model.json`);
      if (memberRaw === undefined) {
        const memberMeta = await readModelJson<{ architecture?: unknown }>(files, `${member}/ferkit.json`);
        if (memberMeta?.architecture === FACE_API_EXPRESSION_ARCHITECTURE) throw notOneNetwork(files.location);
        throw new FerkitError('BAD_MODEL', `${files.location}: ensemble member ${member} has no model.json`, { file: files.location });
      }
      // members of an ensemble need distinct names inside it
      loaded.push(await loadNetwork(files, `${member}/`, checkModelJson(memberRaw, files.location, `${member}/model.json`), meta, `member_${i + 1}`));
    }
    return probed({ model: averageModels(loaded), meta }, files.location);
  } catch (err) {
    loaded.forEach((m) => m.dispose());
    throw err;
  }
}

/** The error for an ensemble that cannot become one TensorFlow.js network. */
function notOneNetwork(location: string): FerkitError {
  return new FerkitError(
    'BAD_ARGUMENT',
    `${location} is an ensemble that weighs its members, combines their log-probabilities or includes face-api.js's expression net: it runs member by member (eval, predict, calibrate, serve, train --teacher take it), not as one TensorFlow.js network, which this needs; use a model written by ferkit train or an equal ensemble of such models`,
    { file: location },
  );
}

/**
 * The model, once one inference on a blank face (mid-grey) gives
 * probabilities as ferkit reports them (calibration applied) that are
 * finite and sum to 1; otherwise a BAD_MODEL error (the caller disposes
 * the model). Weights that
 * are each finite can still overflow together, and a calibration can still
 * turn them into NaN: this catches what the file checks cannot.
 */
function probed(loaded: LoadedModel, location: string): LoadedModel {
  const { model, meta } = loaded;
  let probs: Float32Array;
  try {
    const size = meta.preprocessing.inputSize;
    const raw = tf.tidy(() => (model.predict(tf.fill([1, size, size, 1], 0.5)) as tf.Tensor).dataSync());
    probs = calibrated(Float32Array.from(raw), meta.labels.length, meta);
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${location}: the model fails on a blank face (${excerpt((err as Error)?.message ?? err, 120)}); it is damaged`, { file: location, cause: err });
  }
  const sum = probs.reduce((a, b) => a + b, 0);
  if (!probs.every((p) => Number.isFinite(p) && p >= 0 && p <= 1) || !(Math.abs(sum - 1) < 1e-3)) {
    throw new FerkitError(
      'BAD_MODEL',
      `${location}: the model gives the probabilities ${excerpt(Array.from(probs, (p) => Number(p.toPrecision(3))), 80)} for a blank face, not ${meta.labels.length} finite numbers summing to 1; its weights or its calibration are damaged. Train or calibrate it again, or restore a good copy`,
      { file: location },
    );
  }
  return loaded;
}

/**
 * The weight files a model.json names (relative to `prefix`), joined in
 * manifest order; none may hold more than the bytes its weights need, and
 * none is read when an earlier one already holds them all.
 */
export async function readWeightData(files: ModelFiles, manifest: ModelJson['weightsManifest'], prefix = ''): Promise<ArrayBuffer> {
  const need = weightBytesNeeded(
    manifest.flatMap((g) => g.weights),
    files.location,
    `${prefix}model.json`,
  );
  let read = 0;
  const parts: Uint8Array[] = [];
  for (const path of manifest.flatMap((g) => g.paths)) {
    if (!isSafeModelPath(path)) {
      throw new FerkitError('BAD_MODEL', `${files.location}: the weight file "${excerpt(path)}" lies outside the model's folder; only relative paths inside it are read`, {
        file: files.location,
      });
    }
    const bytes = await readBounded(files, prefix + path, need - read);
    if (!bytes) throw new FerkitError('BAD_MODEL', `${files.location}: weight file ${prefix + path} is missing`, { file: files.location });
    read += bytes.length;
    parts.push(bytes);
  }
  const data = concatBytes(parts);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** One network, checked against ferkit.json: architecture, input, outputs, parameters and finite weights. */
async function loadNetwork(files: ModelFiles, prefix: string, json: ModelJson, meta: ModelMetadata, name?: string): Promise<tf.LayersModel> {
  const file = `${prefix}model.json`;
  checkTopologyName(json, meta, new Set(listArchitectures().map((a) => a.name)), files.location, file);
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
