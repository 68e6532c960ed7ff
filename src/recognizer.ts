import { FerkitError } from './errors.js';
import { initEngine, type EngineChoice, type EngineInfo } from './engine/index.js';
import { EMOTIONS, rankEmotions, type Emotion } from './labels.js';
import { loadRgb, toGrey, type ImageInput, type RgbImage } from './image/load.js';
import { defaultModelDir, loadModel, type ModelMetadata } from './models/io.js';
import { modelProbabilities } from './models/predict.js';
import { FaceDetector, type DetectorOptions, type DetectedFace } from './face/detector.js';
import { cropGeometry, extractCrop, type Box, type Point } from './face/align.js';

export interface RecognizerOptions {
  /** Emotion model folder. Default: the bundled default model. */
  model?: string;
  /**
   * Face detection settings, or `false` to treat every input as one face
   * already cropped (as FER2013 images are).
   */
  detector?: DetectorOptions | false;
  /** Backend; default auto (native engine where it loads). */
  backend?: EngineChoice;
  /** Extra room around the detected box on each side, as a share of its size. Default 0.1. */
  margin?: number;
  /** Level the eyes before cropping (uses landmarks). Default true. */
  align?: boolean;
  /**
   * Faces whose top probability is below this are flagged `uncertain`.
   * Default `DEFAULT_UNCERTAIN_BELOW` (0.5); 0 flags none.
   */
  uncertainBelow?: number;
  /** Average each face's probabilities with its mirror image's (test-time augmentation). Default false. */
  tta?: boolean;
}

/** One face and what it feels. */
export interface FaceEmotion {
  /** Where the face is, in input pixels. */
  box: Box;
  /** Detection confidence (1 when detection is off). */
  score: number;
  /** Probability of each of the seven emotions; they sum to 1. */
  emotions: Record<Emotion, number>;
  /** The most probable emotion. */
  emotion: Emotion;
  /** Its probability. */
  confidence: number;
  /** The seven emotions with their probabilities, most probable first. */
  top: { label: Emotion; score: number }[];
  /** True when `confidence` is below the recognizer's `uncertainBelow`. */
  uncertain: boolean;
  /** Eye centres used for levelling, where found. */
  eyes?: { left: Point; right: Point };
  /** Head roll that was levelled, in degrees. */
  roll: number;
}

export interface Recognizer {
  /** Faces and emotions in one picture; an empty list when there is no face. */
  recognize(input: ImageInput): Promise<FaceEmotion[]>;
  /** The same for several pictures, classified in one batch. */
  recognize(inputs: readonly ImageInput[]): Promise<FaceEmotion[][]>;
  /** Faces and emotions in an already decoded RGB picture. */
  recognizeRgb(images: readonly RgbImage[]): Promise<FaceEmotion[][]>;
  /** Probabilities (n x 7) for 48x48 grey crops (n * 2304 bytes). */
  classify(crops: Uint8Array): Promise<Float32Array>;
  readonly meta: ModelMetadata;
  readonly engine: EngineInfo;
  /** Frees the models. The recognizer cannot be used afterwards. */
  dispose(): void;
}

const SIZE = 48;

/**
 * The default `uncertainBelow`: where a calibrated model's answers become
 * more often wrong than right. Measured on the held-out validation faces
 * of the bundled models (`ferkit eval --split 0.1` for the default model:
 * 0.52; `--model paper --split 0.2`: 0.46); see docs/library.md.
 */
export const DEFAULT_UNCERTAIN_BELOW = 0.5;

/** Turns a row of probabilities into a face record. */
function toFace(probs: Float32Array, offset: number, labels: readonly string[], base: { box: Box; score: number; eyes?: { left: Point; right: Point }; roll: number }, uncertainBelow: number): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  let best = 0;
  for (let k = 0; k < labels.length; k++) {
    emotions[labels[k] as Emotion] = probs[offset + k];
    if (probs[offset + k] > probs[offset + best]) best = k;
  }
  const confidence = probs[offset + best];
  return { ...base, emotions, emotion: labels[best] as Emotion, confidence, top: rankEmotions(emotions), uncertain: confidence < uncertainBelow };
}

/**
 * Loads the face detector and the emotion model once; `recognize()` then
 * finds the faces in a picture, levels and crops each one (grey, 48x48) and
 * says which emotion it shows.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const engine = await initEngine(options.backend ?? (process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'auto');
  const { model, meta } = await loadModel(options.model ?? defaultModelDir());
  const detector = options.detector === false ? undefined : await FaceDetector.load(options.detector ?? {});
  const margin = options.margin ?? 0.1;
  const align = options.align ?? true;
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  let disposed = false;

  const tta = options.tta ?? false;
  // the model's fitted temperature (if any) is applied: probabilities mean what they say
  const classify = (crops: Uint8Array) => modelProbabilities(model, meta, crops, { tta, batchSize: 64 });

  async function recognizeRgb(images: readonly RgbImage[]): Promise<FaceEmotion[][]> {
    if (disposed) throw new FerkitError('BAD_ARGUMENT', 'this recognizer was disposed; create a new one');
    const found: { image: number; face: DetectedFace; roll: number }[] = [];
    const crops: Uint8Array[] = [];
    for (let i = 0; i < images.length; i++) {
      const img = images[i];
      const faces: DetectedFace[] = detector ? await detector.detect(img) : [{ box: { x: 0, y: 0, width: img.width, height: img.height }, score: 1 }];
      if (faces.length === 0) continue; // no grey copy for pictures without a face (most video frames of an empty scene)
      const grey = toGrey(img);
      for (const face of faces) {
        const g = detector ? cropGeometry(face.box, align ? face.eyes : undefined, margin) : { center: { x: img.width / 2, y: img.height / 2 }, side: Math.max(img.width, img.height), angle: 0 };
        crops.push(extractCrop(grey, img.width, img.height, g, SIZE));
        found.push({ image: i, face, roll: (g.angle * 180) / Math.PI });
      }
    }
    const results: FaceEmotion[][] = images.map(() => []);
    if (crops.length === 0) return results;
    const batch = new Uint8Array(crops.length * SIZE * SIZE);
    crops.forEach((c, k) => batch.set(c, k * SIZE * SIZE));
    const probs = await classify(batch);
    found.forEach((f, k) => {
      results[f.image].push(toFace(probs, k * meta.labels.length, meta.labels, { box: f.face.box, score: f.face.score, ...(f.face.eyes ? { eyes: f.face.eyes } : {}), roll: f.roll }, uncertainBelow));
    });
    return results;
  }

  async function recognize(input: ImageInput): Promise<FaceEmotion[]>;
  async function recognize(inputs: readonly ImageInput[]): Promise<FaceEmotion[][]>;
  async function recognize(input: ImageInput | readonly ImageInput[]): Promise<FaceEmotion[] | FaceEmotion[][]> {
    if (Array.isArray(input)) {
      const images = await Promise.all((input as readonly ImageInput[]).map(loadRgb));
      return recognizeRgb(images);
    }
    const [faces] = await recognizeRgb([await loadRgb(input as ImageInput)]);
    return faces;
  }

  return {
    recognize,
    recognizeRgb,
    classify,
    meta,
    engine,
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
      detector?.dispose();
    },
  };
}

