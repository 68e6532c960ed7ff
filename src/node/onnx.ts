/**
 * ONNX Runtime in Node: ferkit's emotion networks converted to ONNX in
 * memory (src/core/models/onnx/) and run by onnxruntime-node's CPU engine.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RuntimeChoice } from '../core/models/classifier.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { chooseRuntime, type ChosenClassifier } from '../core/models/start.js';
import { packageVersion } from '../fs/package.js';
import { onnxClassifier, type OnnxSessionOptions } from './ort.js';

export { loadOnnxRuntime, onnxSession, onnxClassifier, type OnnxSessionOptions } from './ort.js';

export { onnxBytes } from '../store/export.js';

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
