/**
 * Emotion models in Node: a bundled model's name, a model folder or
 * `face-api-expressions` resolved to its files, and the engines Node
 * supplies to the core's `startClassifier` (src/core/models/start.ts):
 * onnxruntime-node, TensorFlow.js (initEngine), the ONNX files built for
 * the bundled models, face-api.js's own expression net. The environment's
 * FERKIT_RUNTIME and FERKIT_BACKEND are the defaults here. Nothing here
 * imports TensorFlow.js unless a model needs it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EngineChoice, EngineInfo } from '../core/engine.js';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import { FACE_API_EXPRESSIONS } from '../core/models/face-api-expression.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { checkRuntime, startClassifier, startFaceApiExpression, type ClassifierEngines } from '../core/models/start.js';
import type { LoadedClassifier } from '../core/platform.js';
import type { ModelFiles } from '../core/files.js';
import { packageVersion } from '../fs/package.js';
import { builtOnnxDir, bundledModelsDir, installedFaceApiModels, isFaceApiExpressionModel, resolveModelDir } from '../fs/paths.js';
import { folderFiles } from '../fs/read.js';
import { faceApiExpressionMeta, faceApiWeightsFix, REINSTALL_FACE_API, weightsFolder } from '../store/face-api-expression.js';
import { checkModelFolder } from '../store/network-files.js';
import { faceApiNetClassifier } from './face-api-expression.js';
import { onnxClassifier } from './ort.js';

/** The engine a recognizer reports when ONNX Runtime runs every network and TensorFlow.js is not loaded. */
export const ONNX_ONLY_ENGINE: EngineInfo = {
  backend: 'onnxruntime',
  native: true,
  reason: 'ONNX Runtime (onnxruntime-node) runs the face detectors and the emotion model; TensorFlow.js is not loaded',
};

/** TensorFlow.js set up on `backend`, or as it is already (`current`). */
async function tfjsEngine(backend: EngineChoice | 'current' | undefined): Promise<EngineInfo> {
  const { initEngine, tf } = await import('./engine.js');
  if (backend !== 'current') return initEngine(backend);
  const name = tf.getBackend() as EngineInfo['backend'];
  return { backend: name, native: name === 'tensorflow', reason: 'TensorFlow.js as set up already' };
}

/** The ONNX file built for a bundled model, when it is there and no older than the model's files. */
function builtModelFile(dir: string): string | undefined {
  if (resolve(dirname(dir)) !== resolve(bundledModelsDir())) return undefined;
  const file = join(builtOnnxDir(), 'models', `${basename(dir)}.onnx`);
  if (!existsSync(file)) return undefined;
  const built = statSync(file).mtimeMs;
  const sources = ['ferkit.json', 'model.json', 'weights.bin'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  return sources.every((f) => statSync(f).mtimeMs <= built) ? file : undefined;
}

/** What Node supplies to run emotion models (src/core/models/start.ts). */
export function nodeClassifierEngines(): ClassifierEngines {
  return {
    onnxName: 'onnxruntime-node',
    onnxEngine: ONNX_ONLY_ENGINE,
    get version() {
      return packageVersion();
    },
    onnx: onnxClassifier,
    tfjs: tfjsEngine,
    prebuilt(files: ModelFiles) {
      // a bundled model's folder is the files' location
      const file = builtModelFile(files.location);
      return Promise.resolve(file ? readFileSync(file) : undefined);
    },
    faceApiNet: faceApiNetClassifier,
  };
}

/**
 * The emotion model `nameOrDir` behind its classifier, as the core starts
 * it on Node's engines. A bundled model runs from the ONNX file written
 * when ferkit was built, without loading TensorFlow.js; another folder is
 * read with TensorFlow.js (its pure JavaScript backend, or FERKIT_BACKEND,
 * unless `backend` says otherwise) and converted in memory.
 * `runtime: 'tfjs'` keeps the model on TensorFlow.js on `backend`.
 * Default runtime: FERKIT_RUNTIME, else auto.
 */
export async function loadClassifier(
  nameOrDir: string,
  runtime: RuntimeChoice = (process.env.FERKIT_RUNTIME as RuntimeChoice | undefined) ?? 'auto',
  backend?: EngineChoice | 'current',
): Promise<LoadedClassifier> {
  checkRuntime(runtime);
  let dir: string;
  if (isFaceApiExpressionModel(nameOrDir)) dir = installedFaceApiModels();
  else {
    dir = resolveModelDir(nameOrDir);
    if (!existsSync(join(dir, 'ferkit.json'))) {
      // the folder's own message: no model here, or an interrupted training run
      checkModelFolder(dir);
    }
  }
  return startClassifier(folderFiles(dir), nodeClassifierEngines(), {
    runtime,
    backend,
    convertBackend: (process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'cpu',
    faceApiFix: REINSTALL_FACE_API,
  });
}

/** A loaded face-api.js expression net. */
export interface FaceApiExpressionClassifier {
  classifier: Classifier;
  meta: ModelMetadata;
  reason: string;
}

/**
 * face-api.js's expression net as a classifier of ferkit's 48x48 grey crops,
 * giving ferkit's seven emotions in EMOTIONS order. `nameOrDir` is
 * `face-api-expressions` (the installed weights) or a folder holding a copy.
 * `auto` and `onnx` run it on ONNX Runtime (`auto` falls back to
 * TensorFlow.js when ONNX Runtime does not load); `tfjs` runs face-api.js's
 * own FaceExpressionNet on TensorFlow.js (set up with `backend`, or as it is
 * with `current`).
 */
export async function loadFaceApiExpressionClassifier(
  nameOrDir: string = FACE_API_EXPRESSIONS,
  runtime: RuntimeChoice = 'auto',
  backend?: EngineChoice | 'current',
  knownMeta?: ModelMetadata,
): Promise<FaceApiExpressionClassifier> {
  const meta = knownMeta ?? (await faceApiExpressionMeta(nameOrDir));
  const dir = weightsFolder(nameOrDir);
  const { classifier, reason } = await startFaceApiExpression(folderFiles(dir), nodeClassifierEngines(), { runtime, backend }, meta, faceApiWeightsFix(dir));
  return { classifier, meta, reason };
}
