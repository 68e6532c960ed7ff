/**
 * `ferkit/browser`: the recognizer in a web page (models fetched by URL,
 * pictures from images, videos, canvases and bitmaps), and the building
 * blocks of a live loop of one's own (ferkit's page runs on them).
 */
// recognition
export { createBrowserRecognizer, type BrowserRecognizer, type BrowserRecognizerOptions } from './recognizer.js';
export { browserPlatform, type BrowserPlatformOptions } from './platform.js';
export type { PictureResult } from '../core/create-recognizer.js';
export type { Platform } from '../core/platform.js';
export { FerkitError, type FerkitErrorCode } from '../core/errors.js';
export { EMOTIONS, EMOTION_COLOURS, rankEmotions, type Emotion } from '../core/labels.js';
export type { EngineInfo } from '../core/engine.js';
export { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../core/recognizer.js';
export { faceRecord, pictureRecord, FACE_CSV_COLUMNS, faceCsvCells, type FaceRecord, type PictureRecord } from '../core/results.js';
export { csvCell } from '../core/results-format.js';
export type { DetectorOptions, DetectedFace, DetectorChoice, DetectCall, Detector } from '../core/face/detector.js';
export type { Box, Point } from '../core/image/geometry.js';
export type { RgbImage, RawImage } from '../core/image/pixels.js';
export { pixelReader, type BrowserImageInput } from './pixels.js';
// following faces between detector passes
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
// building blocks: engines, loaders, detectors, crops
export { initBrowserEngine, wasmThreads, type BrowserBackend, type BrowserEngineOptions } from './engine.js';
export { urlFiles } from './model-url.js';
export { loadModelFrom, loadGraphModelFrom, type ModelFiles } from '../core/models/loader.js';
export type { ModelMetadata } from '../core/models/metadata.js';
export { assembleRecognizer, faceCrops, type RecognizerParts } from '../core/recognizer.js';
export { faceInputs } from '../core/image/preprocess.js';
export { rawToRgb } from '../core/image/pixels.js';
export { atWorkingSize } from '../core/face/working-size.js';
export { DETECTOR_FILES, loadDetector, loadFastDetector, loadAccurateDetector, type StartNetwork, type FastDetectorOptions } from '../core/face/load.js';
export { browserOnnxClassifier, type BrowserOnnxOptions } from './onnx.js';
export {
  ortWeb,
  browserOnnxRunner,
  onnxFiles,
  loadBrowserOnnxBlazeFace,
  loadBrowserOnnxDetector,
  type OrtWebOptions,
  type OrtWebRuntime,
  type BrowserOnnxBlazeFaceOptions,
} from './onnx-runner.js';
export { browserFaceApi, loadBrowserFaceDetector } from './face-api.js';
export { loadBrowserDetector, type DetectorUrls } from './detector.js';
export { BlazeFaceDetector } from '../core/face/blazeface.js';
export { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../core/face/onnx-detectors.js';
export { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../core/face/blazeface-decode.js';
export { ChoosingDetector } from '../core/face/choice.js';
export { onnxModelBytes, onnxMetadata, ONNX_INPUT, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from '../core/models/onnx/model.js';
