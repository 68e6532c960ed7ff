/**
 * The Node platform's face for ferkit's entry points: the recognizer and
 * the face detectors with Node's platform bound (pictures decoded with
 * sharp, models from folders, networks on onnxruntime-node).
 */
import { createRecognizer as createOn, type Recognizer as RecognizerOn, type RecognizerOptions } from '../core/create-recognizer.js';
import type { ChoosingDetector } from '../core/face/choice.js';
import type { DetectorOptions } from '../core/face/detector.js';
import {
  loadAccurateDetector as loadAccurate,
  loadDetector as loadDetectorFrom,
  loadFastDetector as loadFast,
  type FastDetectorOptions,
} from '../core/face/load.js';
import type { OnnxBlazeFace, OnnxSsdDetector } from '../core/face/onnx-detectors.js';
import type { ImageInput } from '../core/image/pixels.js';
import { builtFiles, nodePlatform, onnxRunner } from './platform.js';

export { nodePlatform, onnxRunner, builtFiles } from './platform.js';
export type { RecognizerOptions, PictureResult } from '../core/create-recognizer.js';

/** The recognizer in Node: pictures are file paths, encoded bytes (JPEG, PNG, WebP, …) or raw pixels. */
export type Recognizer = RecognizerOn<ImageInput>;

/**
 * Loads the face detector and the emotion model once; `recognize()` then
 * finds the faces in a picture, levels and crops each one (grey, 48x48) and
 * says which emotion it shows.
 */
export function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  return createOn(nodePlatform(), options);
}

/** The face detectors `options.kind` needs (default `auto`), on ONNX Runtime, from the networks built with ferkit. */
export function loadDetector(options: DetectorOptions = {}): Promise<ChoosingDetector> {
  return loadDetectorFrom(builtFiles(), (bytes) => onnxRunner(bytes), options);
}

/** BlazeFace, the fast detector, alone (the 256x256 model, or the 128x128 front one with `layout: BLAZEFACE_FRONT`). */
export function loadFastDetector(options: FastDetectorOptions = {}): Promise<OnnxBlazeFace> {
  return loadFast(builtFiles(), (bytes) => onnxRunner(bytes), options);
}

/** SSD-MobileNet with its 68 landmarks, the accurate detector, alone. */
export function loadAccurateDetector(options: Omit<DetectorOptions, 'kind'> = {}): Promise<OnnxSsdDetector> {
  return loadAccurate(builtFiles(), (bytes) => onnxRunner(bytes), options);
}
