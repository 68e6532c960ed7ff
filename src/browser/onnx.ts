/** ONNX Runtime in a browser: the emotion model converted in the page and run by onnxruntime-web's WebAssembly engine. */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier.js';
import type { ModelMetadata } from '../models/metadata.js';
import { onnxModelBytes } from '../models/onnx/model.js';
import { sessionClassifier } from '../models/onnx/session.js';
import { wasmThreads } from './engine.js';

export interface BrowserOnnxOptions {
  /**
   * Folder URL of onnxruntime-web's WebAssembly files
   * (`ort-wasm-simd-threaded.wasm` and `.mjs`); default: onnxruntime-web's
   * own default (beside its script, or its CDN).
   */
  wasmPaths?: string;
  /** WebAssembly threads; default: up to 4 on a cross-origin-isolated page (threads need it), else 1. */
  threads?: number;
}

/**
 * A classifier running a loaded model on onnxruntime-web (WebAssembly): the
 * model is converted to ONNX in the page. It owns the model: freed once converted.
 */
export async function browserOnnxClassifier(model: tf.LayersModel, meta: ModelMetadata, options: BrowserOnnxOptions = {}): Promise<Classifier> {
  const ort = await import('onnxruntime-web/wasm');
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  ort.env.wasm.numThreads = options.threads ?? wasmThreads();
  const bytes = onnxModelBytes(model, meta);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  model.dispose();
  return sessionClassifier(session, ort.Tensor);
}
