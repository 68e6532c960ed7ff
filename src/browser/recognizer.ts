/** The recognizer in a browser: models fetched by URL, pictures from images, videos, canvases and bitmaps. */
import type { DetectCall, DetectorChoice, DetectorOptions } from '../core/face/detector.js';
import { loadModelFrom } from '../core/models/loader.js';
import { assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../core/recognizer.js';
import { initBrowserEngine, type BrowserBackend } from './engine.js';
import { loadBrowserDetector } from './detector.js';
import { urlFiles } from './model-url.js';
import { pixelReader, type BrowserImageInput } from './pixels.js';
import { browserOnnxClassifier } from './onnx.js';

export interface BrowserRecognizerOptions extends RecognitionOptions {
  /** Folder URL of the emotion model (its model.json, ferkit.json and weights). */
  modelUrl: string;
  /** Folder URL of face-api's pretrained weights (the accurate detector). */
  detectorUrl?: string;
  /** Folder URL of BlazeFace's blazeface.json and .bin (the fast detector). */
  fastDetectorUrl?: string;
  /**
   * Which face detector (`auto`, the default: the fast one for close-ups and
   * the accurate one otherwise, where both URLs are given; `fast`;
   * `accurate`), or its settings, or `false` when every picture is one face
   * already cropped.
   */
  detector?: DetectorChoice | DetectorOptions | false;
  /** Default auto: WebGL, else WebAssembly, else JavaScript. */
  backend?: BrowserBackend;
  /** Folder URL of the WebAssembly backend's .wasm files, when it may be used. */
  wasmPaths?: string;
  /**
   * What runs the emotion model: `tfjs` (default, on `backend`) or `onnx`
   * (onnxruntime-web's WebAssembly engine; face detection stays on `backend`).
   */
  runtime?: 'tfjs' | 'onnx';
  /** Folder URL of onnxruntime-web's .wasm files, for `runtime: 'onnx'`. */
  onnxWasmPaths?: string;
}

export interface BrowserRecognizer extends PixelRecognizer {
  /** Faces and emotions in a picture or the current frame of a video; an empty list when there is no face. `call.detector` picks the detector for this one. */
  recognize(input: BrowserImageInput, call?: DetectCall): Promise<FaceEmotion[]>;
}

/** Loads the models once; `recognize()` then reads the pixels of a picture or video frame and finds its faces' emotions. */
export async function createBrowserRecognizer(options: BrowserRecognizerOptions): Promise<BrowserRecognizer> {
  const engine = await initBrowserEngine({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
  });
  const { model, meta } = await loadModelFrom(urlFiles(options.modelUrl));
  const classifier =
    options.runtime === 'onnx' ? await browserOnnxClassifier(model, meta, options.onnxWasmPaths ? { wasmPaths: options.onnxWasmPaths } : {}) : undefined;
  let detector;
  try {
    if (options.detector !== false) {
      const settings = typeof options.detector === 'string' ? { kind: options.detector } : (options.detector ?? {});
      detector = await loadBrowserDetector({ detectorUrl: options.detectorUrl, fastDetectorUrl: options.fastDetectorUrl }, settings);
    }
  } catch (err) {
    if (classifier) classifier.dispose();
    else model.dispose();
    throw err;
  }
  const core = assembleRecognizer({ ...(classifier ? { classifier } : { model }), meta, engine, ...(detector ? { detector } : {}) }, options);
  const read = pixelReader();
  return {
    ...core,
    async recognize(input, call = {}) {
      const [faces] = await core.recognizeRgb([read(input)], call);
      return faces;
    },
  };
}
