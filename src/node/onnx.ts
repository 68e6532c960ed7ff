/**
 * ONNX Runtime in Node: ferkit's emotion networks converted to ONNX in
 * memory (src/models/onnx/) and run by onnxruntime-node's CPU engine.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { FerkitError } from '../errors.js';
import type { Classifier, RuntimeChoice } from '../models/classifier.js';
import { tfjsClassifier } from '../models/classifier.js';
import type { ModelMetadata } from '../models/metadata.js';
import { onnxModelBytes } from '../models/onnx/model.js';
import { sessionClassifier } from '../models/onnx/session.js';
import { packageVersion } from './package.js';
import { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';

export { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';
import type { EngineChoice, EngineInfo } from '../engine.js';
import { bundledModelsDir, loadModel, readMetadata, resolveModelDir } from './model-folder.js';

/** The ONNX bytes of a loaded model, with this ferkit's version in them. */
export function onnxBytes(model: tf.LayersModel, meta: ModelMetadata): Uint8Array {
  return onnxModelBytes(model, meta, { ferkitVersion: packageVersion() });
}

/**
 * A classifier that runs a ferkit ONNX model (bytes from `onnxModelBytes`)
 * on ONNX Runtime. It reads the network's `uncalibrated` output:
 * calibration and test-time augmentation happen in
 * `classifierProbabilities`, as for TensorFlow.js.
 */
export async function onnxClassifier(bytes: Uint8Array, options: OnnxSessionOptions = {}): Promise<Classifier> {
  const ort = await loadOnnxRuntime();
  return sessionClassifier(await onnxSession(bytes, options), ort.Tensor);
}

/** A classifier and why it was chosen. */
export interface ChosenClassifier {
  classifier: Classifier;
  reason: string;
}

/**
 * The classifier for a loaded model. `onnx` converts the model in memory and
 * runs it on ONNX Runtime; `tfjs` keeps it on TensorFlow.js; `auto` (the
 * default) takes ONNX Runtime, which ran every bundled model and every
 * registry architecture faster than TensorFlow.js (docs/performance.md),
 * and falls back to TensorFlow.js when ONNX Runtime does not load or the
 * model has a layer the export cannot map. Default: the FERKIT_RUNTIME
 * environment variable, else auto. The classifier owns `model`:
 * with ONNX Runtime it is freed once converted.
 */
export async function chooseClassifier(
  model: tf.LayersModel,
  meta: ModelMetadata,
  choice: RuntimeChoice = (process.env.FERKIT_RUNTIME as RuntimeChoice | undefined) ?? 'auto',
  options: OnnxSessionOptions = {},
): Promise<ChosenClassifier> {
  if (!['auto', 'onnx', 'tfjs'].includes(choice))
    throw new FerkitError('BAD_ARGUMENT', `unknown runtime "${choice}"; use auto, onnx or tfjs`, { options: ['runtime'] });
  if (choice === 'tfjs') return { classifier: tfjsClassifier(model), reason: 'TensorFlow.js, as asked' };
  try {
    const classifier = await onnxClassifier(onnxBytes(model, meta), options);
    model.dispose();
    return {
      classifier,
      reason: choice === 'onnx' ? 'ONNX Runtime, as asked' : 'ONNX Runtime (onnxruntime-node) loads and runs this model faster than TensorFlow.js',
    };
  } catch (err) {
    if (choice === 'onnx') throw err;
    return { classifier: tfjsClassifier(model), reason: `TensorFlow.js: ONNX Runtime unavailable for this model (${(err as Error).message.split(';')[0]})` };
  }
}

/** The engine a recognizer reports when ONNX Runtime runs every network and TensorFlow.js is not loaded. */
export const ONNX_ONLY_ENGINE: EngineInfo = {
  backend: 'onnxruntime',
  native: true,
  reason: 'ONNX Runtime (onnxruntime-node) runs the face detectors and the emotion model; TensorFlow.js is not loaded',
};

/** A loaded emotion model behind the runtime that runs it. */
export interface LoadedClassifier extends ChosenClassifier {
  meta: ModelMetadata;
  engine: EngineInfo;
}

/**
 * The emotion model `nameOrDir` behind its classifier. A bundled model runs
 * from the ONNX file written when ferkit was built, without loading
 * TensorFlow.js; another folder is read with TensorFlow.js (its pure
 * JavaScript backend unless `backend` says otherwise) and converted in
 * memory. `runtime: 'tfjs'` keeps the model on TensorFlow.js on `backend`.
 */
export async function loadClassifier(
  nameOrDir: string,
  runtime: RuntimeChoice = (process.env.FERKIT_RUNTIME as RuntimeChoice | undefined) ?? 'auto',
  backend?: EngineChoice,
): Promise<LoadedClassifier> {
  if (!['auto', 'onnx', 'tfjs'].includes(runtime))
    throw new FerkitError('BAD_ARGUMENT', `unknown runtime "${runtime}"; use auto, onnx or tfjs`, { options: ['runtime'] });
  const dir = resolveModelDir(nameOrDir);
  const built = runtime === 'tfjs' ? undefined : builtModelFile(dir);
  if (built) {
    try {
      const meta = readMetadata(dir);
      return { classifier: await onnxClassifier(readFileSync(built)), meta, engine: ONNX_ONLY_ENGINE, reason: 'ONNX Runtime (onnxruntime-node), the model as built with ferkit' };
    } catch (err) {
      if (runtime === 'onnx') throw err;
    }
  }
  // a model folder of the user's: read with TensorFlow.js, converted in memory (the pure JavaScript backend suffices for that)
  const { initEngine } = await import('./engine.js');
  const engine = await initEngine(backend ?? (runtime === 'tfjs' ? undefined : (process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'cpu'));
  const { model, meta } = await loadModel(dir);
  return { ...(await chooseClassifier(model, meta, runtime)), meta, engine };
}

/** The ONNX file built for a bundled model, when it is there and no older than the model's files. */
function builtModelFile(dir: string): string | undefined {
  if (resolve(dirname(dir)) !== resolve(bundledModelsDir())) return undefined;
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'onnx', 'models', `${basename(dir)}.onnx`);
  if (!existsSync(file)) return undefined;
  const built = statSync(file).mtimeMs;
  const sources = ['ferkit.json', 'model.json', 'weights.bin'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  return sources.every((f) => statSync(f).mtimeMs <= built) ? file : undefined;
}
