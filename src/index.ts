/**
 * ferkit: facial expression recognition in TypeScript. The public API; every
 * name here is re-exported from the module that owns it.
 */
export { FerkitError, type FerkitErrorCode } from './errors.js';
export { EMOTIONS, NUM_CLASSES, matchEmotion, emotionIndex, type Emotion } from './labels.js';
export { initEngine, type EngineChoice, type EngineInfo, type BackendName } from './engine/index.js';
export { IMAGE_SIZE, PIXELS_PER_IMAGE, classCounts, concat, subset, type Dataset, type ReadReport } from './data/dataset.js';
export { readFerCsv, type CsvReadOptions } from './data/csv.js';
export { readImageFolder, type FolderReadOptions } from './data/folder.js';
export { readFerPlus, withFerPlus, type FerPlusVotes, type FerPlusOptions, type FerPlusDropped } from './data/ferplus.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export { stratifiedSplit, type SplitIndices } from './data/split.js';
export { selectData, selectTrainingData, type DataSelection, type TrainingDataSelection, type TrainingData, type SelectionStep, type Usage, type Dedupe } from './data/select.js';
export { nearestFaces, duplicateIndices, DUPLICATE_THRESHOLD, type NearestFaces, type DuplicateOptions } from './data/duplicates.js';
export { decodeGrey, type ImageSource } from './image/decode.js';
export { getArchitecture, listArchitectures, registerArchitecture, type Architecture, type BuildOptions } from './models/architectures.js';
export { loadModel, saveModel, defaultModelDir, modelFingerprint, type ModelMetadata, type SavedModel, type Preprocessing, type Calibration } from './models/io.js';
export { predictProbabilities, modelProbabilities, type PredictOptions } from './models/predict.js';
export { teacherTargets, type TeacherOptions } from './train/distill.js';
export { train, type TrainOptions, type TrainResult } from './train/train.js';
export { PAPER_RECIPE, RECOMMENDED_RECIPE, DISTILL_DEFAULTS, resolveConfig, type TrainConfig } from './train/config.js';
export { weightedLoss, type LossOptions } from './train/loss.js';
export { learningRateAt } from './train/schedule.js';
export { keepBest, earlyStopping, trainingLog, calibrateOnValidation, bestEpoch, LOG_FILE } from './train/callbacks.js';
export { augmentImage, parseAugment, NO_AUGMENTATION, STANDARD_AUGMENTATION, type AugmentConfig } from './train/augment.js';
export { classWeights, epochOrder, type ClassWeighting } from './train/balance.js';
export type { EpochLogs, BatchLogs, TrainCallbacks, TrainContext, RunOutcome } from './train/types.js';
export { evaluate } from './eval/evaluate.js';
export { computeMetrics, confusionMatrix, perClassMetrics, macroF1, accuracy, confidentMistakes, type Metrics, type ClassMetrics, type Mistake } from './eval/metrics.js';
export { compareModels, mcnemarExact, type Comparison, type PairedFigure } from './eval/compare.js';
export { metricIntervals, wilsonInterval, bootstrapInterval, type Intervals, type Interval, type IntervalOptions } from './eval/intervals.js';
export { formatMetrics, formatComparison, predictionsCsv } from './eval/format.js';
export { applyTemperature, applyCalibration, fitTemperature, fitClassBias, expectedCalibrationError, calibrationOn } from './eval/calibration.js';
export { evaluateWithDetection, type DetectEvalResult } from './eval/detect.js';
export { createRecognizer, DEFAULT_UNCERTAIN_BELOW, type Recognizer, type RecognizerOptions, type FaceEmotion } from './recognizer.js';
export { faceRecord, pictureRecord, FACE_CSV_COLUMNS, type FaceRecord, type PictureRecord } from './results.js';
export { uncertaintyThreshold, type UncertaintyThreshold } from './eval/uncertainty.js';
export { FaceDetector, type DetectorOptions, type DetectedFace } from './face/detector.js';
export type { Box, Point } from './face/align.js';
export { loadRgb, type ImageInput, type RawImage, type RgbImage } from './image/load.js';
export { annotate } from './image/annotate.js';
export { analyzeVideo, type VideoOptions, type VideoSummary, type TimelineEntry, type FaceSummary } from './video/analyze.js';
export { readFrames, probeVideo, videoSource, type Frame, type VideoInfo, type VideoSource } from './video/source.js';
export { AnnotatedVideoWriter } from './video/writer.js';
export { FaceTracker } from './video/tracker.js';
export { emotionPlotSvg, writeEmotionPlot } from './video/plot.js';
