/**
 * The emotion model behind the runtime that runs it. A bundled model runs
 * on ONNX Runtime from the file written when ferkit was built, and nothing
 * here imports TensorFlow.js unless a model needs it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerkitError } from '../errors.js';
import type { EngineChoice, EngineInfo } from '../engine.js';
import type { Classifier, RuntimeChoice } from '../models/classifier.js';
import type { ModelMetadata } from '../models/metadata.js';
import { sessionClassifier } from '../models/onnx/session.js';
import { bundledModelsDir, resolveModelDir } from './model-paths.js';
import { loadOnnxRuntime, onnxSession } from './ort.js';

/** A classifier that runs a ferkit ONNX model's bytes on ONNX Runtime. */
async function builtClassifier(bytes: Uint8Array): Promise<Classifier> {
  const ort = await loadOnnxRuntime();
  return sessionClassifier(await onnxSession(bytes), ort.Tensor);
}

/** The engine a recognizer reports when ONNX Runtime runs every network and TensorFlow.js is not loaded. */
export const ONNX_ONLY_ENGINE: EngineInfo = {
  backend: 'onnxruntime',
  native: true,
  reason: 'ONNX Runtime (onnxruntime-node) runs the face detectors and the emotion model; TensorFlow.js is not loaded',
};

/** A loaded emotion model behind the runtime that runs it. */
export interface LoadedClassifier {
  classifier: Classifier;
  reason: string;
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
      // a bundled model's ferkit.json, checked when ferkit was built (scripts/build-onnx.mjs loads every bundled model)
      const meta = JSON.parse(readFileSync(join(dir, 'ferkit.json'), 'utf8')) as ModelMetadata;
      return {
        classifier: await builtClassifier(readFileSync(built)),
        meta,
        engine: ONNX_ONLY_ENGINE,
        reason: 'ONNX Runtime (onnxruntime-node), the model as built with ferkit',
      };
    } catch (err) {
      if (runtime === 'onnx') throw err;
    }
  }
  // a model folder of the user's: read with TensorFlow.js, converted in memory (the pure JavaScript backend suffices for that)
  const [{ initEngine }, { loadModel }, { chooseClassifier }] = await Promise.all([import('./engine.js'), import('./model-folder.js'), import('./onnx.js')]);
  const engine = await initEngine(backend ?? (runtime === 'tfjs' ? undefined : ((process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'cpu')));
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
