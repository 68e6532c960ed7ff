/** The recognizer in a browser: the core's recognizer on the browser platform. */
import { createRecognizer, type Recognizer, type RecognizerOptions } from '../core/create-recognizer.js';
import { browserPlatform, type BrowserPlatformOptions } from './platform.js';
import type { BrowserImageInput } from './pixels.js';

export interface BrowserRecognizerOptions extends Omit<RecognizerOptions, 'model' | 'backend' | 'runtime'>, BrowserPlatformOptions {
  /** Folder URL of the emotion model (its model.json, ferkit.json and weights; `/model/` on ferkit serve). */
  modelUrl: string;
  /**
   * What runs the emotion model: `tfjs` (default, on `backend`) or `onnx`
   * (onnxruntime-web's WebAssembly engine). The face detectors run on
   * onnxruntime-web either way.
   */
  runtime?: 'tfjs' | 'onnx';
}

/** Faces and emotions in pictures and video frames of the page. */
export type BrowserRecognizer = Recognizer<BrowserImageInput>;

/**
 * Loads the models once (the emotion model from `modelUrl`, the detectors
 * from `onnxUrl`); `recognize()` then reads the pixels of a picture or the
 * current frame of a video and finds its faces' emotions.
 */
export function createBrowserRecognizer(options: BrowserRecognizerOptions): Promise<BrowserRecognizer> {
  const { modelUrl, runtime, backend: _backend, ...rest } = options;
  return createRecognizer(browserPlatform(options), { ...rest, model: modelUrl, ...(runtime ? { runtime } : {}) });
}
