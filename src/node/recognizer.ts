/** The recognizer in Node: models from folders, pictures from files, bytes or pixels. */
import { initEngine } from './engine.js';
import type { EngineChoice } from '../engine.js';
import { assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../recognizer.js';
import type { DetectCall, DetectorChoice, DetectorOptions } from '../face/detector.js';
import { loadRgb, type ImageInput } from './decode.js';
import { defaultModelDir, loadModel } from './model-folder.js';
import { detectorSettings, loadDetector } from './detector.js';
import type { RuntimeChoice } from '../models/classifier.js';
import { chooseClassifier } from './onnx.js';

export interface RecognizerOptions extends RecognitionOptions {
  /** Emotion model folder, or a bundled model's name (`default`, `paper`). Default: the bundled default model. */
  model?: string;
  /**
   * Which face detector: `accurate` (default: SSD-MobileNet, tiles for large
   * pictures, 68 landmarks), `fast` (BlazeFace, for live video), `auto` (the
   * fast one for close-ups, the accurate one otherwise), or its settings, or
   * `false` to treat every input as one face already cropped (as FER2013
   * images are). The fast detector frames faces a little differently, which
   * changes some predictions; see docs/photos-and-videos.md.
   */
  detector?: DetectorChoice | DetectorOptions | false;
  /** Backend; default auto (native engine where it loads), or the FERKIT_BACKEND environment variable. */
  backend?: EngineChoice;
  /**
   * What runs the emotion network: `onnx` (ONNX Runtime, the model converted
   * in memory), `tfjs` (TensorFlow.js on `backend`), or `auto` (default): ONNX
   * Runtime, faster for every bundled model, unless it does not load or
   * cannot run the model. Face detection runs on TensorFlow.js either way.
   * Default auto, or the FERKIT_RUNTIME environment variable.
   */
  runtime?: RuntimeChoice;
}

export interface Recognizer extends PixelRecognizer {
  /** Why the emotion network runs on `runtime`, in words for the user. */
  readonly runtimeReason: string;
  /** Faces and emotions in one picture; an empty list when there is no face. */
  recognize(input: ImageInput, call?: DetectCall): Promise<FaceEmotion[]>;
  /** The same for several pictures, classified in one batch. */
  recognize(inputs: readonly ImageInput[], call?: DetectCall): Promise<FaceEmotion[][]>;
}

/**
 * Loads the face detector and the emotion model once; `recognize()` then
 * finds the faces in a picture, levels and crops each one (grey, 48x48) and
 * says which emotion it shows.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const engine = await initEngine(options.backend);
  const { model, meta } = await loadModel(options.model ?? defaultModelDir());
  // the classifier owns the model from here
  const { classifier, reason } = await chooseClassifier(model, meta, options.runtime);
  let detector;
  try {
    detector = options.detector === false ? undefined : await loadDetector(detectorSettings(options.detector));
  } catch (err) {
    classifier.dispose();
    throw err;
  }
  const core = assembleRecognizer({ classifier, meta, engine, ...(detector ? { detector } : {}) }, options);

  async function recognize(input: ImageInput, call?: DetectCall): Promise<FaceEmotion[]>;
  async function recognize(inputs: readonly ImageInput[], call?: DetectCall): Promise<FaceEmotion[][]>;
  async function recognize(input: ImageInput | readonly ImageInput[], call: DetectCall = {}): Promise<FaceEmotion[] | FaceEmotion[][]> {
    if (Array.isArray(input)) return core.recognizeRgb(await Promise.all((input as readonly ImageInput[]).map(loadRgb)), call);
    const [faces] = await core.recognizeRgb([await loadRgb(input as ImageInput)], call);
    return faces;
  }
  return { ...core, runtimeReason: reason, recognize };
}
