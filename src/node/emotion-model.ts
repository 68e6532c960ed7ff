/**
 * The emotion model behind the runtime that runs it. A bundled model runs
 * on ONNX Runtime from the file written when ferkit was built, and nothing
 * here imports TensorFlow.js unless a model needs it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import type { EngineChoice, EngineInfo } from '../core/engine.js';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import type { LoadedClassifier } from '../core/platform.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
import { builtOnnxDir, bundledModelsDir, resolveModelDir } from '../fs/paths.js';
import { loadOnnxRuntime, onnxSession } from './ort.js';
import { loadFaceApiExpressionClassifier } from './face-api-expression.js';
import { FACE_API_EXPRESSION_MANIFEST, isFaceApiExpressionModel } from '../store/face-api-expression.js';
import { ensembleClassifier } from '../core/models/combine.js';

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
  backend?: EngineChoice | 'current',
): Promise<LoadedClassifier> {
  if (!['auto', 'onnx', 'tfjs'].includes(runtime))
    throw new FerkitError('BAD_ARGUMENT', `unknown runtime "${runtime}"; use auto, onnx or tfjs`, { options: ['runtime'] });
  if (isFaceApiExpressionModel(nameOrDir)) return faceApiClassifier(nameOrDir, runtime, backend);
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
  // face-api.js's expression net in a folder (an ensemble's member), and ensembles that are not an equal mean of ferkit networks
  const { readMetadata, loadModel } = await import('../store/folder.js');
  const folderMeta = existsSync(join(dir, 'ferkit.json')) ? readMetadata(dir) : undefined;
  if (folderMeta && isFaceApiExpressionModel(dir, folderMeta)) return faceApiClassifier(dir, runtime, backend, folderMeta);
  if (folderMeta?.members && combinedByClassifiers(dir, folderMeta)) return combinedClassifier(dir, folderMeta, runtime, backend);
  // a model folder of the user's: read with TensorFlow.js, converted in memory (the pure JavaScript backend suffices for that)
  const { chooseClassifier } = await import('./onnx.js');
  const engine = await tfjsEngine(backend ?? (runtime === 'tfjs' ? undefined : ((process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'cpu')));
  const { model, meta } = await loadModel(dir);
  return { ...(await chooseClassifier(model, meta, runtime)), meta, engine };
}

/** TensorFlow.js set up on `backend`, or as it is already (`current`). */
async function tfjsEngine(backend: EngineChoice | 'current' | undefined): Promise<EngineInfo> {
  const { initEngine, tf } = await import('./engine.js');
  if (backend !== 'current') return initEngine(backend);
  const name = tf.getBackend() as EngineInfo['backend'];
  return { backend: name, native: name === 'tensorflow', reason: 'TensorFlow.js as set up already' };
}

/** face-api.js's expression net (its name, or a folder holding it) behind its classifier. */
async function faceApiClassifier(
  nameOrDir: string,
  runtime: RuntimeChoice,
  backend: EngineChoice | 'current' | undefined,
  meta?: ModelMetadata,
): Promise<LoadedClassifier> {
  const loaded = await loadFaceApiExpressionClassifier(nameOrDir, runtime, backend, meta);
  const engine = loaded.classifier.runtime === 'onnxruntime' ? ONNX_ONLY_ENGINE : await tfjsEngine('current');
  return { ...loaded, engine };
}

/**
 * Whether an ensemble's members are run one by one and combined here rather
 * than averaged inside one network: when it weighs them, combines their
 * log-probabilities, or has a member that is not a ferkit network
 * (face-api.js's expression net).
 */
export function combinedByClassifiers(dir: string, meta: ModelMetadata): boolean {
  return (
    meta.memberWeights !== undefined ||
    (meta.combine ?? 'probabilities') !== 'probabilities' ||
    (meta.members ?? []).some((m) => !existsSync(join(dir, m, 'model.json')) && existsSync(join(dir, m, FACE_API_EXPRESSION_MANIFEST)))
  );
}

/** An ensemble whose members run each behind its own classifier, combined as its ferkit.json says. */
async function combinedClassifier(
  dir: string,
  meta: ModelMetadata,
  runtime: RuntimeChoice,
  backend: EngineChoice | 'current' | undefined,
): Promise<LoadedClassifier> {
  const loaded: LoadedClassifier[] = [];
  try {
    for (const member of meta.members!) loaded.push(await loadClassifier(join(dir, member), runtime, backend));
    for (const [i, m] of loaded.entries()) {
      if (m.meta.labels.join() !== meta.labels.join()) {
        throw new FerkitError(
          'BAD_MODEL',
          `${dir}: member ${meta.members![i]} lists its labels in another order than the ensemble; write the ensemble again with ferkit ensemble`,
          {
            file: dir,
          },
        );
      }
    }
    const classifier = ensembleClassifier(
      loaded.map((m) => m.classifier),
      meta.memberWeights,
      meta.combine ?? 'probabilities',
    );
    const tfjsMember = loaded.find((m) => m.engine !== ONNX_ONLY_ENGINE);
    return {
      classifier,
      meta,
      engine: tfjsMember?.engine ?? ONNX_ONLY_ENGINE,
      reason: `${loaded.length} members combined (${meta.combine ?? 'probabilities'}): ${loaded.map((m, i) => `${meta.members![i]} on ${m.classifier.runtime}`).join(', ')}`,
    };
  } catch (err) {
    loaded.forEach((m) => m.classifier.dispose());
    throw err;
  }
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
