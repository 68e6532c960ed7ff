/**
 * `ferkit/models`: models and the parts a recognizer is built from, in Node.
 * Model folders (load, save, describe, fingerprint, export, ensembles), the
 * architectures, prediction and calibration, ONNX, face-api.js's expression
 * net, the engines, the platform, the face detectors and the crops.
 */
import { saveEnsemble as saveEnsembleWith, type EnsembleOptions as EnsembleOptionsWith } from '../store/ensemble.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { nodePlatform } from '../node/platform.js';

// model folders
export { loadModel, saveModel, defaultModelDir, bundledModelNames, resolveModelDir, modelFingerprint, folderFiles, type SavedModel } from '../store/folder.js';
export { readMetadata, bundledModelsDir } from '../store/folder.js';
export { describeModel, type ModelDescription } from '../store/describe.js';
export { exportModel, exportOnnx, type ExportOptions } from '../store/export.js';
export { loadModelFrom, loadGraphModelFrom, type LoadedModel } from '../core/models/loader.js';
export { readWeightData } from '../core/models/loader.js';
export { plainModelMetadata } from '../core/models/metadata.js';
export { sessionClassifier } from '../core/models/onnx/session.js';
export { argmaxRows } from '../core/numeric.js';
export type { ModelFiles } from '../core/files.js';
export { TRAINING_LOG, type ModelMetadata, type Preprocessing, type Calibration } from '../core/models/metadata.js';
// architectures, prediction, calibration
export { getArchitecture, listArchitectures, registerArchitecture, type Architecture, type BuildOptions } from '../core/models/architectures.js';
export { predictProbabilities, modelProbabilities, type PredictOptions } from '../core/models/predict.js';
export { applyTemperature, applyCalibration } from '../core/models/calibration.js';
export type { TestTimeAugmentation } from '../core/models/tta.js';
export { ensembleClassifier, combineProbabilities, checkMemberWeights } from '../core/models/combine.js';
export { classifierProbabilities, tfjsClassifier, type Classifier, type RuntimeChoice } from '../core/models/classifier.js';
// ONNX
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
} from '../core/models/onnx/model.js';
export { chooseClassifier, onnxClassifier, onnxSession, onnxBytes, type ChosenClassifier, type OnnxSessionOptions } from '../node/onnx.js';
// face-api.js's expression net
export { FACE_API_EXPRESSIONS, FACE_API_LABELS, faceApiExpressionMetadata } from '../core/models/face-api-expression.js';
export { loadFaceApiExpressionClassifier, type FaceApiExpressionClassifier } from '../node/emotion-model.js';
export { faceApiExpressionOnnxBytes } from '../store/face-api-expression.js';
// engines and the platform
export { initEngine } from '../node/engine.js';
export { cpuFlags } from '../node/engine.js';
export { useNativeRelu6 } from '../node/kernels.js';
export type { EngineChoice, EngineInfo, BackendName } from '../core/engine.js';
export { nodePlatform, onnxRunner, builtFiles } from '../node/platform.js';
export type { Platform, LoadedClassifier, ClassifierOptions, StartClassifier } from '../core/platform.js';
export { createRecognizer as createRecognizerOn, type Recognizer as RecognizerOn } from '../core/create-recognizer.js';
// face detectors
export { loadDetector, loadFastDetector, loadAccurateDetector } from '../node/index.js';
export { DETECTOR_FILES, detectorSettings, type StartNetwork, type FastDetectorOptions } from '../core/face/load.js';
export { ChoosingDetector, AUTO_CLOSE_UP_SHARE, detectorChoice } from '../core/face/choice.js';
export { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../core/face/onnx-detectors.js';
export { BlazeFaceDetector, type BlazeFaceOptions } from '../core/face/blazeface.js';
export { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../core/face/blazeface-decode.js';
export { FaceDetector, type Detector, type FaceApiSource } from '../core/face/detector.js';
export { loadFaceDetector, nodeFaceApi } from '../node/face-api.js';
export { blazeFaceFiles, loadBlazeFace } from '../node/blazeface.js';
export { DEFAULT_DETECTION_SIZE } from '../core/face/working-size.js';
// crops and inputs
export { assembleRecognizer, faceCrops, type PixelRecognizer, type RecognizerParts } from '../core/recognizer.js';
export { DEFAULT_FRAMING, type CropFraming } from '../core/face/align.js';
export { cropGeometry } from '../core/face/align.js';
export { wholePicture, faceInputs, wholeFaceInput, IMAGE_SIZE, PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
export { loadRgb, DEFAULT_MAX_PIXELS, type DecodeOptions } from '../fs/picture.js';

/** How to combine an ensemble's members; `startClassifier` defaults to Node's. */
export type EnsembleOptions = Omit<EnsembleOptionsWith, 'startClassifier'> & Partial<Pick<EnsembleOptionsWith, 'startClassifier'>>;

/**
 * Writes a model folder that combines the probabilities of `models` (two or
 * more single-network folders, bundled names, or `face-api-expressions`),
 * copied into `outDir`; see docs/models.md. It is loaded once to check it.
 */
export function saveEnsemble(models: readonly string[], outDir: string, options: EnsembleOptions = {}): Promise<ModelMetadata> {
  return saveEnsembleWith(models, outDir, { startClassifier: nodePlatform().startClassifier, ...options });
}
