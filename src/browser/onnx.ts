/** ONNX Runtime in a browser: the emotion model converted in the page and run by onnxruntime-web's WebAssembly engine. */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../core/models/classifier.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { onnxModelBytes } from '../core/models/onnx/model.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
import { ortWeb, type OrtWebOptions } from './onnx-runner.js';

/** onnxruntime-web's settings (see `ortWeb`: the first model loaded on it sets them for the page). */
export type BrowserOnnxOptions = OrtWebOptions;

/**
 * A classifier running a loaded model on onnxruntime-web (WebAssembly): the
 * model is converted to ONNX in the page. It owns the model: freed once converted.
 */
export async function browserOnnxClassifier(model: tf.LayersModel, meta: ModelMetadata, options: BrowserOnnxOptions = {}): Promise<Classifier> {
  const classifier = await browserOnnxGraphClassifier(onnxModelBytes(model, meta), options);
  model.dispose();
  return classifier;
}

/** A classifier running a ferkit ONNX graph (`bytes`: a converted model, face-api.js's expression net) on onnxruntime-web (WebAssembly). */
export async function browserOnnxGraphClassifier(bytes: Uint8Array, options: BrowserOnnxOptions = {}): Promise<Classifier> {
  const { ort } = await ortWeb(options);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return sessionClassifier(session, ort.Tensor);
}
