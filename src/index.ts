/**
 * ferkit: facial expression recognition in TypeScript. The public API; every
 * name here is re-exported from the module that owns it.
 */
export { FerkitError, type FerkitErrorCode } from './core/errors.js';
export { EMOTIONS, NUM_CLASSES, matchEmotion, emotionIndex, type Emotion } from './core/labels.js';
export { initEngine } from './node/engine.js';
export { type EngineChoice, type EngineInfo, type BackendName } from './core/engine.js';
export { IMAGE_SIZE, PIXELS_PER_IMAGE } from './core/image/preprocess.js';
export { equalized, equalizeHistogram, claheImage, type Equalization } from './core/image/equalize.js';
export { classCounts, concat, subset, type Dataset, type ReadReport } from './data/dataset.js';
export { readFerCsv, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_EXPANSION, type CsvReadOptions } from './data/csv.js';
export { readImageFolder, type FolderReadOptions } from './data/folder.js';
export { readFerPlus, withFerPlus, type FerPlusVotes, type FerPlusOptions, type FerPlusDropped } from './data/ferplus.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export { stratifiedSplit, type SplitIndices } from './data/split.js';
export {
  selectData,
  selectTrainingData,
  type DataSelection,
  type TrainingDataSelection,
  type TrainingData,
  type SelectionStep,
  type Usage,
  type Dedupe,
} from './data/select.js';
export { nearestFaces, duplicateIndices, DUPLICATE_THRESHOLD, type NearestFaces, type DuplicateOptions } from './data/duplicates.js';
export { decodeFace, type ImageSource } from './fs/picture.js';
export { getArchitecture, listArchitectures, registerArchitecture, type Architecture, type BuildOptions } from './core/models/architectures.js';
export { loadModel, saveModel, defaultModelDir, modelFingerprint, type SavedModel } from './store/folder.js';
export { TRAINING_LOG, type ModelMetadata, type Preprocessing, type Calibration } from './core/models/metadata.js';
export { predictProbabilities, modelProbabilities, type PredictOptions } from './core/models/predict.js';
export { teacherTargets, type TeacherOptions } from './train/distill.js';
export { train, type TrainOptions, type TrainResult } from './train/train.js';
export { PAPER_RECIPE, RECOMMENDED_RECIPE, DISTILL_DEFAULTS, resolveConfig, type TrainConfig } from './train/config.js';
export { weightedLoss, type LossOptions } from './train/loss.js';
export { learningRateAt, plateauScale } from './train/schedule.js';
export { keepBest, earlyStopping, trainingLog, calibrateOnValidation, bestEpoch } from './train/callbacks.js';
export { augmentImage, parseAugment, NO_AUGMENTATION, STANDARD_AUGMENTATION, type AugmentConfig } from './train/augment.js';
export { classWeights, epochOrder, type ClassWeighting } from './train/balance.js';
export type { EpochLogs, BatchLogs, TrainCallbacks, TrainContext, RunOutcome } from './train/types.js';
export { evaluate } from './eval/evaluate.js';
export {
  computeMetrics,
  confusionMatrix,
  perClassMetrics,
  macroF1,
  accuracy,
  confidentMistakes,
  type Metrics,
  type ClassMetrics,
  type Mistake,
} from './eval/metrics.js';
export { compareModels, mcnemarExact, type Comparison, type PairedFigure } from './eval/compare.js';
export { metricIntervals, wilsonInterval, bootstrapInterval, type IntervalOptions } from './eval/intervals.js';
export { type Intervals, type Interval } from './eval/metrics.js';
export { formatMetrics, formatComparison, predictionsCsv } from './eval/format.js';
export { applyTemperature, applyCalibration } from './core/models/calibration.js';
export { fitTemperature, fitClassBias, expectedCalibrationError, calibrationOn } from './eval/calibration.js';
export { evaluateWithDetection, type DetectEvalResult } from './eval/detect.js';
export { framedFace, faceFraming, summarizeFraming, fitFraming, type FramedFace, type FaceFraming, type FramingSummary } from './eval/framing.js';
export { DEFAULT_FRAMING, type CropFraming } from './core/face/align.js';
export { type TestTimeAugmentation } from './core/models/tta.js';
export { createRecognizer, type Recognizer, type RecognizerOptions, type PictureResult } from './node/index.js';
export { DEFAULT_DETECTION_SIZE } from './core/face/working-size.js';
export {
  DEFAULT_UNCERTAIN_BELOW,
  assembleRecognizer,
  faceCrops,
  type FaceEmotion,
  type PixelRecognizer,
  type RecognitionOptions,
  type RecognizerParts,
} from './core/recognizer.js';
export { recognizeFiles, type FileRecognition, type RecognizeFilesOptions } from './core/recognize-files.js';
export { loadFaceDetector, nodeFaceApi } from './node/face-api.js';
export { loadDetector } from './node/index.js';
export { blazeFaceFiles, loadBlazeFace } from './node/blazeface.js';
export { BlazeFaceDetector, type BlazeFaceOptions } from './core/face/blazeface.js';
export { ChoosingDetector, AUTO_CLOSE_UP_SHARE, detectorChoice } from './core/face/choice.js';
export { saveEnsemble, type EnsembleOptions } from './store/ensemble.js';
export { ensembleClassifier, combineProbabilities, checkMemberWeights } from './core/models/combine.js';
export { loadFaceApiExpressionClassifier, type FaceApiExpressionClassifier } from './node/face-api-expression.js';
export { faceApiExpressionOnnxBytes } from './store/face-api-expression.js';
export { FACE_API_EXPRESSIONS, FACE_API_LABELS, faceApiExpressionMetadata } from './core/models/face-api-expression.js';
export { exportModel, exportOnnx, type ExportOptions } from './store/export.js';
export { chooseClassifier, onnxClassifier, onnxSession, onnxBytes, type ChosenClassifier, type OnnxSessionOptions } from './node/onnx.js';
export { classifierProbabilities, tfjsClassifier, type Classifier, type RuntimeChoice } from './core/models/classifier.js';
export {
  onnxModelBytes,
  onnxMetadata,
  ONNX_INPUT,
  ONNX_PROBABILITIES,
  ONNX_UNCALIBRATED,
  ONNX_OPSET,
  ONNX_METADATA_KEYS,
  type OnnxExportOptions,
  type OnnxPreprocessing,
  type OnnxCalibration,
} from './core/models/onnx/model.js';
export { describeModel, type ModelDescription } from './store/describe.js';
export { loadModelFrom, loadGraphModelFrom, type ModelFiles, type LoadedModel } from './core/models/loader.js';
export { folderFiles } from './store/folder.js';
export { wholePicture, faceInputs, wholeFaceInput } from './core/image/preprocess.js';
export { mapOrdered, serialQueue } from './core/concurrency.js';
export { faceRecord, pictureRecord, FACE_CSV_COLUMNS, type FaceRecord, type PictureRecord } from './core/results.js';
export { uncertaintyThreshold, type UncertaintyThreshold } from './eval/uncertainty.js';
export {
  FaceDetector,
  type Detector,
  type DetectorChoice,
  type DetectCall,
  type DetectorOptions,
  type DetectedFace,
  type FaceApiSource,
} from './core/face/detector.js';
export type { Box, Point } from './core/image/geometry.js';
export { loadRgb, DEFAULT_MAX_PIXELS, type ImageInput, type DecodeOptions } from './fs/picture.js';
export { type RawImage, type RgbImage } from './core/image/pixels.js';
export { annotate, layoutAnnotations, type AnnotateOptions, type AnnotateStyle, type AnnotationLayout, type FaceLayout } from './draw/annotate.js';
export { analyzeVideo, VideoTimeline, type VideoOptions, type VideoSummary, type TimelineEntry, type FaceSummary, type ChangeMoment } from './video/analyze.js';
export { findChanges, ChangeFinder, type ChangeOptions } from './video/changes.js';
export { frameRecord, smoothedFace, type FrameRecord } from './video/records.js';
export { readFrames, probeVideo, videoSource, type Frame, type VideoInfo, type VideoSource } from './video/source.js';
export { AnnotatedVideoWriter } from './video/writer.js';
export { FaceTracker } from './core/face/tracker.js';
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
} from './core/track/follow.js';
export type { VideoTracking } from './video/frame-faces.js';
export { timelineAgreement, type TimelineAgreement } from './video/agreement.js';
export { emotionPlotSvg, writeEmotionPlot } from './video/plot.js';
