/**
 * ferkit: facial expression recognition in TypeScript. The root entry holds
 * what recognition needs: the recognizer, its results, the emotions, errors
 * and the drawing of results. Training, data, evaluation, video, models and
 * the building blocks have their own entries (`ferkit/train`, `ferkit/data`,
 * `ferkit/eval`, `ferkit/video`, `ferkit/models`), as do `ferkit/browser`,
 * `ferkit/serve` and `ferkit/queue`.
 */
export { createRecognizer, type Recognizer, type RecognizerOptions, type PictureResult } from './node/index.js';
export { recognizeFiles, type FileRecognition, type RecognizeFilesOptions } from './core/recognize-files.js';
export { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion, type RecognitionOptions } from './core/recognizer.js';
export type { DetectorChoice, DetectorOptions, DetectCall, DetectedFace } from './core/face/detector.js';
export type { PipelineStage } from './core/face/detector.js';
export type { Box, Point } from './core/image/geometry.js';
export type { ImageInput, RawImage, RgbImage } from './core/image/pixels.js';
export type { PictureLimitOptions } from './core/image/limits.js';
export { EMOTIONS, EMOTION_COLOURS, type Emotion } from './core/labels.js';
export { FerkitError, isCallerError, type FerkitErrorCode } from './core/errors.js';
export { faceRecord, pictureRecord, FACE_CSV_COLUMNS, type FaceRecord, type PictureRecord } from './core/results.js';
export { annotate, type AnnotateOptions, type AnnotateStyle } from './draw/annotate.js';
