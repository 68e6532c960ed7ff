/**
 * ferkit in the browser: the recognizer, models loaded by URL, pixels from
 * images, videos and canvases. Everything here runs without Node.
 */
export { FerkitError, type FerkitErrorCode } from '../errors.js';
export { EMOTIONS, EMOTION_COLOURS, type Emotion } from '../labels.js';
export type { EngineInfo } from '../engine.js';
export { DEFAULT_UNCERTAIN_BELOW, assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../recognizer.js';
export { faceRecord, pictureRecord, type FaceRecord, type PictureRecord } from '../results.js';
export type { DetectorOptions, DetectedFace, DetectorChoice, DetectCall } from '../face/detector.js';
export { BlazeFaceDetector } from '../face/blazeface.js';
export type { Box, Point } from '../image/geometry.js';
export type { RgbImage, RawImage } from '../image/pixels.js';
export type { ModelMetadata } from '../models/metadata.js';
export { loadModelFrom, loadGraphModelFrom, type ModelFiles } from '../models/loader.js';
export { initBrowserEngine, wasmThreads, type BrowserBackend, type BrowserEngineOptions } from './engine.js';
export { urlFiles } from './model-url.js';
export { browserFaceApi, loadBrowserFaceDetector } from './face-api.js';
export { loadBrowserDetector, type DetectorUrls } from './detector.js';
export { pixelReader, type BrowserImageInput } from './pixels.js';
export { FaceTracker, iou, type TrackerOptions } from '../face/tracker.js';
export {
  FaceFollower,
  FOLLOW_METHODS,
  type FaceReader,
  type FollowOptions,
  type FollowedFace,
  type FollowedFrame,
  type FaceOrigin,
  type FollowMethod,
  type FollowCounts,
  type SearchReason,
} from '../track/follow.js';
export { createBrowserRecognizer, type BrowserRecognizer, type BrowserRecognizerOptions } from './recognizer.js';
export { browserOnnxClassifier, type BrowserOnnxOptions } from './onnx.js';
export {
  ONNX_DETECTOR_FILES,
  ortWeb,
  browserOnnxRunner,
  urlOnnxRunner,
  loadBrowserOnnxBlazeFace,
  loadBrowserOnnxSsd,
  loadBrowserOnnxDetector,
  type OrtWebOptions,
  type OrtWebRuntime,
  type BrowserOnnxBlazeFaceOptions,
} from './onnx-runner.js';
export { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../face/onnx-detectors.js';
export { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../face/blazeface-decode.js';
export { ChoosingDetector } from '../face/choice.js';
export { onnxModelBytes, onnxMetadata, ONNX_INPUT, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from '../models/onnx/model.js';
