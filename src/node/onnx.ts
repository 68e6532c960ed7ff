/**
 * ONNX Runtime in Node: ferkit's emotion networks converted to ONNX in
 * memory (src/core/models/onnx/) and run by onnxruntime-node's CPU engine.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { onnxModelBytes } from '../core/models/onnx/model.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
import { chooseRuntime, type ChosenClassifier } from '../core/models/start.js';
import { packageVersion } from '../fs/package.js';
import { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';

export { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';

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

export type { ChosenClassifier } from '../core/models/start.js';

/**
 * The classifier for a loaded model. `onnx` converts the model in memory and
 * runs it on ONNX Runtime; `tfjs` keeps it on TensorFlow.js; `auto` (the
 * default) takes ONNX Runtime, which ran every bundled model and every
 * registry architecture faster than TensorFlow.js (docs/performance.md),
 * and falls back to TensorFlow.js when ONNX Runtime does not load or the
 * model has a layer the export cannot map (src/core/models/start.ts).
 * Default: the FERKIT_RUNTIME environment variable, else auto. The
 * classifier owns `model`: with ONNX Runtime it is freed once converted.
 */
export async function chooseClassifier(
  model: tf.LayersModel,
  meta: ModelMetadata,
  choice: RuntimeChoice = (process.env.FERKIT_RUNTIME as RuntimeChoice | undefined) ?? 'auto',
  options: OnnxSessionOptions = {},
): Promise<ChosenClassifier> {
  return chooseRuntime(model, meta, choice, {
    onnxName: 'onnxruntime-node',
    version: packageVersion(),
    onnx: (bytes) => onnxClassifier(bytes, options),
  });
}
