/**
 * ONNX Runtime in Node: ferkit's emotion networks converted to ONNX in
 * memory (src/core/models/onnx/) and run by onnxruntime-node's CPU engine.
 */
import type * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import { tfjsClassifier } from '../core/models/classifier.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { onnxModelBytes } from '../core/models/onnx/model.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
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
