/**
 * onnxruntime-node, loaded when a network first runs on it, and its CPU
 * sessions. Imports no TensorFlow.js.
 */
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { FerkitError } from '../core/errors.js';
import type { Classifier } from '../core/models/classifier.js';
import { sessionClassifier } from '../core/models/onnx/session.js';

/** Named through a variable: loaded only when a model runs on it, so other commands start no faster or slower. */
const ORT_PACKAGE: string = 'onnxruntime-node';

let ortModule: Promise<typeof Ort> | undefined;

/** onnxruntime-node, loaded once. Throws ENGINE_UNAVAILABLE when it does not load here. */
export async function loadOnnxRuntime(): Promise<typeof Ort> {
  ortModule ??= (import(ORT_PACKAGE) as Promise<typeof Ort>).catch((err: unknown) => {
    ortModule = undefined;
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `ONNX Runtime (onnxruntime-node) cannot be loaded (${(err as Error).message.split('\n')[0]}); reinstall ferkit's dependencies, or run the model on TensorFlow.js (runtime: 'tfjs')`,
      { cause: err, options: ['runtime'] },
    );
  });
  return ortModule;
}

export interface OnnxSessionOptions {
  /** Threads inside an operation; default every core (os.availableParallelism()). */
  threads?: number;
}

/** An ONNX Runtime session on the CPU from model bytes, with every graph optimisation. */
export async function onnxSession(bytes: Uint8Array, options: OnnxSessionOptions = {}): Promise<Ort.InferenceSession> {
  const ort = await loadOnnxRuntime();
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    // errors only: ONNX Runtime's warnings about unused initializers or thread affinity are not the user's business
    logSeverityLevel: 3,
    // several sessions run one after another (detector, landmarks, emotion model): threads that spin-wait after
    // their work would take the cores from the next session's threads
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
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
