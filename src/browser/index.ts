/**
 * ferkit in the browser: the recognizer, models loaded by URL, pixels from
 * images, videos and canvases. Everything here runs without Node.
 */
export { FerkitError, type FerkitErrorCode } from '../core/errors.js';
export { EMOTIONS, EMOTION_COLOURS, type Emotion } from '../core/labels.js';
export type { EngineInfo } from '../core/engine.js';
export { DEFAULT_UNCERTAIN_BELOW, assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../core/recognizer.js';
export { faceRecord, pictureRecord, type FaceRecord, type PictureRecord } from '../core/results.js';
export type { DetectorOptions, DetectedFace, DetectorChoice, DetectCall } from '../core/face/detector.js';
export { BlazeFaceDetector } from '../core/face/blazeface.js';
export type { Box, Point } from '../core/image/geometry.js';
export type { RgbImage, RawImage } from '../core/image/pixels.js';
export type { ModelMetadata } from '../core/models/metadata.js';
export { loadModelFrom, loadGraphModelFrom, type ModelFiles } from '../core/models/loader.js';
export { initBrowserEngine, wasmThreads, type BrowserBackend, type BrowserEngineOptions } from './engine.js';
export { urlFiles } from './model-url.js';
export { browserFaceApi, loadBrowserFaceDetector } from './face-api.js';
export { loadBrowserDetector, type DetectorUrls } from './detector.js';
export { pixelReader, type BrowserImageInput } from './pixels.js';
export { FaceTracker, iou, type TrackerOptions } from '../core/face/tracker.js';
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
} from '../core/track/follow.js';
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
export { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../core/face/onnx-detectors.js';
export { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../core/face/blazeface-decode.js';
export { ChoosingDetector } from '../core/face/choice.js';
export { onnxModelBytes, onnxMetadata, ONNX_INPUT, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from '../core/models/onnx/model.js';
