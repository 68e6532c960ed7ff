/**
 * Starting an emotion model from its files, on whatever engines the
 * platform supplies: one contract, `startClassifier(files, engines,
 * options)`, as the face detectors have (core/face/load.ts). It decides
 * what runs the model and says why: an ONNX file built for a bundled model,
 * face-api.js's expression net (as ONNX, or on TensorFlow.js through
 * face-api.js), an ensemble whose members run one by one and are combined
 * (core/models/combine.ts), or a model folder read with TensorFlow.js and
 * converted to ONNX in memory. Everything is read through `ModelFiles`;
 * TensorFlow.js is imported only when a model needs it.
 */
import { FerkitError } from '../errors.js';
import type { EngineChoice, EngineInfo } from '../engine.js';
import { subFiles, type ModelFiles } from '../files.js';
import { tfjsClassifier, type Classifier, type RuntimeChoice } from './classifier.js';
import { ensembleClassifier } from './combine.js';
import { FACE_API_EXPRESSION_ARCHITECTURE, FACE_API_EXPRESSION_MANIFEST, faceApiExpressionMetadata, FACE_API_EXPRESSIONS } from './face-api-expression.js';
import { faceApiExpressionOnnxFrom, readFaceApiExpressionWeights, type FaceApiExpressionWeights } from './face-api-weights.js';
import type { ModelMetadata } from './metadata.js';
import { checkMetadata } from './validate.js';
import type * as tf from '@tensorflow/tfjs';

/** An emotion model running, with what ferkit knows of it and why it runs where it does. */
export interface LoadedClassifier {
  classifier: Classifier;
  meta: ModelMetadata;
  /** The engine the recognizer reports (ONNX Runtime, or a TensorFlow.js backend). */
  engine: EngineInfo;
  /** Why the model runs on its runtime, in words for the user. */
  reason: string;
}

/** The runtimes a model may be asked to run on. */
export const RUNTIMES: readonly RuntimeChoice[] = ['auto', 'onnx', 'tfjs'];

/** What a platform supplies to run emotion models: its engines, small and explicit. */
export interface ClassifierEngines {
  /** The platform's ONNX Runtime, for messages and reasons: `onnxruntime-node`. */
  readonly onnxName: string;
  /** The engine the recognizer reports when ONNX Runtime runs the emotion model and TensorFlow.js is not loaded. */
  readonly onnxEngine: EngineInfo;
  /** ferkit's version, written into the ONNX graphs built in memory. */
  readonly version?: string | undefined;
  /** What `auto` runs a model read with TensorFlow.js on: `onnx` (converted, the default) or `tfjs` (as read). */
  readonly autoRuntime?: 'onnx' | 'tfjs' | undefined;
  /** A ferkit ONNX graph (`bytes`) running on the platform's ONNX Runtime; ENGINE_UNAVAILABLE when it does not load. */
  onnx(bytes: Uint8Array): Promise<Classifier>;
  /** TensorFlow.js set up on `backend` (the platform's choice when undefined), or as it is (`current`). */
  tfjs(backend: EngineChoice | 'current' | undefined): Promise<EngineInfo>;
  /** The ONNX graph built for a bundled model with these files, when there is one as new as they are. */
  prebuilt?(files: ModelFiles): Promise<Uint8Array | undefined>;
  /** face-api.js's own FaceExpressionNet on TensorFlow.js (set up already), from its weights, giving ferkit's EMOTIONS order. */
  faceApiNet?(weights: FaceApiExpressionWeights): Promise<Classifier>;
}

/** How to start an emotion model. */
export interface StartClassifierOptions {
  /** `onnx`, `tfjs` or `auto` (default): ONNX Runtime where it runs the model (or as `engines.autoRuntime` says). */
  runtime?: RuntimeChoice | undefined;
  /** The TensorFlow.js backend, for a model that runs on TensorFlow.js; `current`: as already set up. */
  backend?: EngineChoice | 'current' | undefined;
  /** The backend a model read with TensorFlow.js only to be converted is read on, unless `backend` is given. Default `cpu`. */
  convertBackend?: EngineChoice | undefined;
  /** What to do when the weight files of face-api.js's own model folder are missing or damaged (for its error message). */
  faceApiFix?: string | undefined;
}

const utf8 = new TextDecoder();

/** The runtime, checked. Throws BAD_ARGUMENT. */
export function checkRuntime(runtime: string | undefined): RuntimeChoice {
  if (runtime === undefined) return 'auto';
  if (!(RUNTIMES as readonly string[]).includes(runtime))
    throw new FerkitError('BAD_ARGUMENT', `unknown runtime "${runtime}"; use auto, onnx or tfjs`, { options: ['runtime'] });
  return runtime as RuntimeChoice;
}

/**
 * The emotion model in `files` behind its classifier, on `engines`. A
 * folder holding face-api.js's expression net (its weights, with or
 * without a ferkit.json saying so) runs as ONNX written from its weights,
 * or on face-api.js's own net with `tfjs`; a bundled model runs from the
 * ONNX file built for it; an ensemble that weighs its members, combines
 * their log-probabilities or has a member that is not a ferkit network runs
 * member by member; any other model is read with TensorFlow.js and, unless
 * `tfjs` is asked, converted to ONNX in memory (`auto` falls back to
 * TensorFlow.js when that fails).
 */
export async function startClassifier(files: ModelFiles, engines: ClassifierEngines, options: StartClassifierOptions = {}): Promise<LoadedClassifier> {
  const runtime = checkRuntime(options.runtime);
  const metaBytes = await files.read('ferkit.json');
  // face-api's own model folder: its weights and no ferkit.json
  if (!metaBytes && (await files.read(FACE_API_EXPRESSION_MANIFEST)))
    return startFaceApiExpression(files, engines, options, faceApiExpressionMetadata(), options.faceApiFix ?? 'reinstall the package that ships them');
  const built = runtime === 'tfjs' || !metaBytes ? undefined : await engines.prebuilt?.(files);
  if (built) {
    try {
      // a bundled model's ferkit.json, checked when ferkit was built
      const meta = JSON.parse(utf8.decode(metaBytes)) as ModelMetadata;
      return {
        classifier: await engines.onnx(built),
        meta,
        engine: engines.onnxEngine,
        reason: `ONNX Runtime (${engines.onnxName}), the model as built with ferkit`,
      };
    } catch (err) {
      if (runtime === 'onnx') throw err;
    }
  }
  const meta = metaBytes ? parseMetadata(metaBytes, files.location) : undefined;
  if (meta?.architecture === FACE_API_EXPRESSION_ARCHITECTURE) return startFaceApiExpression(files, engines, options, meta, REWRITE_ENSEMBLE);
  if (meta?.members && (await combinedByClassifiers(files, meta))) return startCombined(files, engines, options, meta);
  return startLayersModel(files, engines, options, runtime);
}

/** What to do when an ensemble's copy of face-api.js's weights is missing or damaged. */
export const REWRITE_ENSEMBLE = `write the ensemble again with \`ferkit ensemble --models ...,${FACE_API_EXPRESSIONS}\``;

/** ferkit.json's bytes, checked (core/models/validate.ts). */
function parseMetadata(bytes: Uint8Array, location: string): ModelMetadata {
  let meta: unknown;
  try {
    meta = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${location}: ferkit.json is not valid JSON (${(err as Error).message.slice(0, 80)})`, { file: location, cause: err });
  }
  return checkMetadata(meta, location);
}

/**
 * Whether an ensemble's members are run one by one and combined rather
 * than averaged inside one network: when it weighs them, combines their
 * log-probabilities, or has a member that is not a ferkit network
 * (face-api.js's expression net: its weights and no model.json).
 */
export async function combinedByClassifiers(files: ModelFiles, meta: ModelMetadata): Promise<boolean> {
  if (meta.memberWeights !== undefined || (meta.combine ?? 'probabilities') !== 'probabilities') return true;
  for (const m of meta.members ?? []) {
    if ((await files.read(`${m}/${FACE_API_EXPRESSION_MANIFEST}`)) && !(await files.read(`${m}/model.json`))) return true;
  }
  return false;
}

/**
 * face-api.js's expression net (its weights in `files`) as a classifier of
 * ferkit's 48x48 grey crops, giving ferkit's seven emotions in EMOTIONS
 * order. `auto` and `onnx` run it on ONNX Runtime, from a graph written
 * from its weights (`auto` falls back to face-api.js's own net on
 * TensorFlow.js when ONNX Runtime does not load, on a platform that has
 * it); `tfjs` runs face-api.js's own FaceExpressionNet. `fix` says what to
 * do when its weight files are missing or damaged.
 */
export async function startFaceApiExpression(
  files: ModelFiles,
  engines: ClassifierEngines,
  options: StartClassifierOptions,
  meta: ModelMetadata,
  fix: string,
): Promise<LoadedClassifier> {
  const runtime = checkRuntime(options.runtime);
  const weights = await readFaceApiExpressionWeights(files, fix);
  if (runtime !== 'tfjs') {
    try {
      const classifier = await engines.onnx(faceApiExpressionOnnxFrom(weights, files.location, engines.version));
      return {
        classifier,
        meta,
        engine: engines.onnxEngine,
        reason: `ONNX Runtime (${engines.onnxName}), face-api.js's expression net written as ONNX by ferkit`,
      };
    } catch (err) {
      if (runtime === 'onnx' || !engines.faceApiNet || (err instanceof FerkitError && err.code !== 'ENGINE_UNAVAILABLE')) throw err;
    }
  }
  if (!engines.faceApiNet) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `face-api.js's expression net runs on ${engines.onnxName} here, not on TensorFlow.js; use the runtime auto or onnx`,
      { options: ['runtime'] },
    );
  }
  if (options.backend !== 'current') await engines.tfjs(options.backend);
  const classifier = await engines.faceApiNet(weights);
  try {
    return { classifier, meta, engine: await engines.tfjs('current'), reason: "TensorFlow.js, face-api.js's own FaceExpressionNet" };
  } catch (err) {
    classifier.dispose();
    throw err;
  }
}

/** An ensemble whose members run each behind its own classifier (each started as `startClassifier` would), combined as its ferkit.json says. */
async function startCombined(files: ModelFiles, engines: ClassifierEngines, options: StartClassifierOptions, meta: ModelMetadata): Promise<LoadedClassifier> {
  const members = meta.members!;
  const loaded: LoadedClassifier[] = [];
  try {
    for (const member of members) loaded.push(await startClassifier(subFiles(files, member), engines, options));
    for (const [i, m] of loaded.entries()) {
      if (m.meta.labels.join() !== meta.labels.join()) {
        throw new FerkitError(
          'BAD_MODEL',
          `${files.location}: member ${members[i]} lists its labels in another order than the ensemble; write the ensemble again with ferkit ensemble`,
          { file: files.location },
        );
      }
    }
    const classifier = ensembleClassifier(
      loaded.map((m) => m.classifier),
      meta.memberWeights,
      meta.combine ?? 'probabilities',
    );
    const tfjsMember = loaded.find((m) => m.engine !== engines.onnxEngine);
    return {
      classifier,
      meta,
      engine: tfjsMember?.engine ?? engines.onnxEngine,
      reason: `${loaded.length} members combined (${meta.combine ?? 'probabilities'}): ${loaded.map((m, i) => `${members[i]} on ${m.classifier.runtime}`).join(', ')}`,
    };
  } catch (err) {
    loaded.forEach((m) => m.classifier.dispose());
    throw err;
  }
}

/** A model read with TensorFlow.js (core/models/loader.ts), then run as `runtime` says. */
async function startLayersModel(files: ModelFiles, engines: ClassifierEngines, options: StartClassifierOptions, runtime: RuntimeChoice): Promise<LoadedClassifier> {
  // the pure JavaScript backend suffices to read a model that is then converted
  const engine = await engines.tfjs(options.backend ?? (runtime === 'tfjs' ? undefined : (options.convertBackend ?? 'cpu')));
  const { loadModelFrom } = await import('./loader.js');
  const { model, meta } = await loadModelFrom(files);
  return { ...(await chooseRuntime(model, meta, runtime, engines, engine)), meta, engine };
}

/** A classifier and why it was chosen. */
export interface ChosenClassifier {
  classifier: Classifier;
  reason: string;
}

/**
 * The classifier for a model read with TensorFlow.js. `onnx` converts the
 * model in memory and runs it on the platform's ONNX Runtime; `tfjs` keeps
 * it on TensorFlow.js; `auto` takes ONNX Runtime (or what
 * `engines.autoRuntime` says) and falls back to TensorFlow.js when ONNX
 * Runtime does not load or the model has a layer the export cannot map.
 * The classifier owns `model`: with ONNX Runtime it is freed once converted.
 * `engine` names the TensorFlow.js backend in the reasons where it runs the model.
 */
export async function chooseRuntime(
  model: tf.LayersModel,
  meta: ModelMetadata,
  runtime: RuntimeChoice,
  engines: Pick<ClassifierEngines, 'onnx' | 'onnxName' | 'version' | 'autoRuntime'>,
  engine?: EngineInfo,
): Promise<ChosenClassifier> {
  const choice = checkRuntime(runtime);
  const { onnxModelBytes } = await import('./onnx/model.js');
  if (choice === 'tfjs') return { classifier: tfjsClassifier(model), reason: 'TensorFlow.js, as asked' };
  if (choice === 'auto' && engines.autoRuntime === 'tfjs')
    return { classifier: tfjsClassifier(model), reason: engine ? `TensorFlow.js (${engine.backend})` : 'TensorFlow.js' };
  try {
    const classifier = await engines.onnx(onnxModelBytes(model, meta, engines.version !== undefined ? { ferkitVersion: engines.version } : {}));
    model.dispose();
    return {
      classifier,
      reason: choice === 'onnx' ? 'ONNX Runtime, as asked' : `ONNX Runtime (${engines.onnxName}) loads and runs this model faster than TensorFlow.js`,
    };
  } catch (err) {
    if (choice === 'onnx') throw err;
    return { classifier: tfjsClassifier(model), reason: `TensorFlow.js: ONNX Runtime unavailable for this model (${(err as Error).message.split(';')[0]})` };
  }
}
