/** The recognizer in a browser: models fetched by URL, pictures from images, videos, canvases and bitmaps. */
import type { DetectCall, DetectorChoice, DetectorOptions } from '../face/detector.js';
import { loadModelFrom } from '../models/loader.js';
import { assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../recognizer.js';
import { initBrowserEngine, type BrowserBackend } from './engine.js';
import { loadBrowserDetector } from './detector.js';
import { urlFiles } from './model-url.js';
import { pixelReader, type BrowserImageInput } from './pixels.js';

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
  let detector;
  try {
    if (options.detector !== false) {
      const settings = typeof options.detector === 'string' ? { kind: options.detector } : (options.detector ?? {});
      detector = await loadBrowserDetector({ detectorUrl: options.detectorUrl, fastDetectorUrl: options.fastDetectorUrl }, settings);
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  const core = assembleRecognizer({ model, meta, engine, ...(detector ? { detector } : {}) }, options);
  const read = pixelReader();
  return {
    ...core,
    async recognize(input, call = {}) {
      const [faces] = await core.recognizeRgb([read(input)], call);
      return faces;
    },
  };
}
