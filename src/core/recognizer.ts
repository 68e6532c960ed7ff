/**
 * The recognizer's core: faces found in decoded pixels, levelled, cropped
 * and classified. Platform-neutral; `createRecognizer` (Node,
 * src/core/create-recognizer.ts, on Node's or the browser's platform)
 * load the models and decode pictures for it.
 */
import type * as tf from '@tensorflow/tfjs';
import { asFerkitError, FerkitError } from './errors.js';
import type { EngineInfo } from './engine.js';
import { EMOTIONS, rankEmotions, type Emotion } from './labels.js';
import type { RgbImage } from './image/pixels.js';
import type { Box, CropGeometry, Point } from './image/geometry.js';
import { faceInputs, PIXELS_PER_IMAGE, wholePicture } from './image/preprocess.js';
import type { ModelMetadata } from './models/metadata.js';
import { classifierProbabilities, type Classifier } from './models/classifier.js';
import { argmaxAt, concatBytes } from './numeric.js';
import type { DetectCall, DetectedFace, Detector } from './face/detector.js';
import { cropGeometry, DEFAULT_FRAMING, type CropFraming } from './face/align.js';
import type { TestTimeAugmentation } from './models/tta.js';
import { atWorkingSize } from './face/working-size.js';

/** How the recognizer cuts faces and reports their emotions. */
export interface RecognitionOptions {
  /**
   * Where a face is cut relative to the detector's box (and eyes): by
   * default `DEFAULT_FRAMING`, measured to match how FER2013 frames its
   * faces (docs/models.md).
   */
  framing?: CropFraming;
  /** Overrides the framing's room around the detected box on each side, as a share of its size. */
  margin?: number;
  /** Level the eyes before cropping (uses landmarks). Default true. */
  align?: boolean;
  /**
   * Faces whose top probability is below this are flagged `uncertain`.
   * Default `DEFAULT_UNCERTAIN_BELOW` (0.5); 0 flags none.
   */
  uncertainBelow?: number;
  /**
   * Test-time augmentation: average each face's probabilities with its
   * mirror image's (`true` or `'flip'`), or over ten crops (`'ten-crop'`,
   * ten times the emotion model's work). Default false.
   */
  tta?: TestTimeAugmentation;
  /**
   * Longest side, in pixels, at which faces are searched: larger pictures
   * are shrunk for detection (the emotions are still read from the full
   * picture), so detection costs at most about as much as for a picture of
   * this size. Default DEFAULT_DETECTION_SIZE (2080).
   */
  detectionSize?: number;
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

/** A recognizer of decoded pictures: what every platform's recognizer can do. */
export interface PixelRecognizer {
  /** Faces and emotions in decoded RGB pictures, classified in one batch. `call.detector` picks the face detector for these pictures. */
  recognizeRgb(images: readonly RgbImage[], call?: DetectCall): Promise<FaceEmotion[][]>;
  /**
   * The faces the recognizer's detector finds in a decoded picture (searched
   * at its working size, given back in the picture's pixels), without their
   * emotions. A recognizer without a detector takes the whole picture as one face.
   */
  detect(img: RgbImage, call?: DetectCall): Promise<DetectedFace[]>;
  /**
   * The emotions of faces already found (by `detect`, or followed from
   * frame to frame): each cut, levelled and classified as `recognizeRgb`
   * does, in one batch, without running the detector. In the order given.
   */
  recognizeFaces(img: RgbImage, faces: readonly DetectedFace[]): Promise<FaceEmotion[]>;
  /** Probabilities (n x 7) for 48x48 grey crops (n * 2304 bytes). */
  classify(crops: Uint8Array): Promise<Float32Array>;
  readonly meta: ModelMetadata;
  readonly engine: EngineInfo;
  /** What runs the emotion network: TensorFlow.js (on `engine`) or ONNX Runtime. */
  readonly runtime: Classifier['runtime'];
  /** Frees the models. The recognizer cannot be used afterwards. */
  dispose(): void;
}

/** What a recognizer is made of: a loaded emotion model and, unless every picture is one face already, a detector. */
export interface RecognizerParts {
  /** The emotion network as a TensorFlow.js model; or give `classifier`. */
  model?: tf.LayersModel;
  /** The emotion network behind another runtime (ONNX Runtime in Node); used instead of `model`. */
  classifier?: Classifier;
  meta: ModelMetadata;
  /** Without one, every picture is taken as one face already cropped (as FER2013 images are). */
  detector?: Detector;
  engine: EngineInfo;
}

/**
 * The default `uncertainBelow`: where a calibrated model's answers become
 * more often wrong than right. Measured on the held-out validation faces
 * of the bundled models (`ferkit eval --split 0.1` for the default model:
 * 0.52; `--model paper --split 0.2`: 0.46); see docs/library.md.
 */
export const DEFAULT_UNCERTAIN_BELOW = 0.5;

/** Turns a row of probabilities into a face record. */
function toFace(
  probs: Float32Array,
  offset: number,
  labels: readonly string[],
  base: { box: Box; score: number; eyes?: { left: Point; right: Point }; roll: number },
  uncertainBelow: number,
): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (let k = 0; k < labels.length; k++) emotions[labels[k] as Emotion] = probs[offset + k];
  const best = argmaxAt(probs, offset, labels.length);
  const confidence = probs[offset + best];
  return { ...base, emotions, emotion: labels[best] as Emotion, confidence, top: rankEmotions(emotions), uncertain: confidence < uncertainBelow };
}

/** An RgbImage whose size and pixel count agree, else a BAD_IMAGE error. */
function checkRgb(img: RgbImage, index: number): void {
  const ok =
    typeof img === 'object' &&
    img !== null &&
    img.data instanceof Uint8Array &&
    Number.isSafeInteger(img.width) &&
    Number.isSafeInteger(img.height) &&
    img.width > 0 &&
    img.height > 0 &&
    img.data.length === img.width * img.height * 3;
  if (!ok)
    throw new FerkitError(
      'BAD_IMAGE',
      `picture ${index + 1} is not an RGB picture: it needs width x height x 3 bytes of data and a positive whole width and height`,
    );
}

/** Where each face of a picture is cut: the detector's faces, or the whole picture as one face. */
export function faceCrops(
  img: RgbImage,
  faces: readonly DetectedFace[] | undefined,
  options: Pick<RecognitionOptions, 'framing' | 'margin' | 'align'> = {},
): CropGeometry[] {
  if (!faces) return [wholePicture(img.width, img.height)];
  const framing = options.framing ?? DEFAULT_FRAMING;
  const chosen = options.margin === undefined ? framing : { margin: options.margin, shiftY: framing.shiftY };
  return faces.map((face) => cropGeometry(face.box, (options.align ?? true) ? face.eyes : undefined, chosen));
}

/** A detected face whose box has finite coordinates and a positive size, else a BAD_ARGUMENT error. */
function checkFace(face: DetectedFace, index: number): void {
  const b = (face as Partial<DetectedFace> | null)?.box;
  const ok = b && [b.x, b.y, b.width, b.height].every(Number.isFinite) && b.width > 0 && b.height > 0;
  if (!ok) throw new FerkitError('BAD_ARGUMENT', `face ${index + 1} has no usable box: give { box: { x, y, width, height } } with a positive width and height`);
}

/**
 * A recognizer made of loaded parts: `recognizeRgb()` finds the faces in a
 * picture, levels and crops each one (grey, 48x48) and says which emotion
 * it shows. It owns the parts: `dispose()` frees them.
 */
export function assembleRecognizer(parts: RecognizerParts, options: RecognitionOptions = {}): PixelRecognizer {
  const { model, classifier, meta, engine } = parts;
  if (!model && !classifier) throw new FerkitError('BAD_ARGUMENT', 'a recognizer needs an emotion model: give model or classifier');
  // faces are searched at a bounded size: the cost of detection has a ceiling whatever the picture's size
  const detector = parts.detector && atWorkingSize(parts.detector, options.detectionSize);
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  const tta = options.tta ?? false;
  let disposed = false;
  // the model's fitted temperature (if any) is applied: probabilities mean what they say
  const probabilities = (crops: Uint8Array) =>
    classifier
      ? classifierProbabilities(classifier, meta, crops, { tta, batchSize: 64 })
      : // imported here: a recognizer on ONNX Runtime never loads TensorFlow.js
        import('./models/predict.js').then(({ modelProbabilities }) => modelProbabilities(model!, meta, crops, { tta, batchSize: 64 }));

  async function classify(crops: Uint8Array): Promise<Float32Array> {
    if (disposed) throw new FerkitError('BAD_ARGUMENT', 'this recognizer was disposed; create a new one');
    if (!(crops instanceof Uint8Array) || crops.length % PIXELS_PER_IMAGE !== 0) {
      const size = crops instanceof Uint8Array ? `${crops.length} bytes` : crops === null ? 'null' : typeof crops;
      throw new FerkitError('BAD_ARGUMENT', `classify takes 48x48 grey crops, ${PIXELS_PER_IMAGE} bytes each, back to back; got ${size}`);
    }
    if (crops.length === 0) return new Float32Array(0);
    try {
      return await probabilities(crops);
    } catch (err) {
      throw asFerkitError(err, 'classifying crops');
    }
  }

  async function recognizeRgb(images: readonly RgbImage[], call: DetectCall = {}): Promise<FaceEmotion[][]> {
    if (disposed) throw new FerkitError('BAD_ARGUMENT', 'this recognizer was disposed; create a new one');
    if (!Array.isArray(images)) throw new FerkitError('BAD_ARGUMENT', 'recognizeRgb takes a list of RGB pictures ({ data, width, height })');
    images.forEach(checkRgb);
    try {
      return await recognizeChecked(images, call);
    } catch (err) {
      throw asFerkitError(err, 'recognizing');
    }
  }

  async function detect(img: RgbImage, call: DetectCall = {}): Promise<DetectedFace[]> {
    if (disposed) throw new FerkitError('BAD_ARGUMENT', 'this recognizer was disposed; create a new one');
    checkRgb(img, 0);
    if (!detector) return [{ box: { x: 0, y: 0, width: img.width, height: img.height }, score: 1 }];
    try {
      return await detector.detect(img, call);
    } catch (err) {
      throw asFerkitError(err, 'detecting faces');
    }
  }

  async function recognizeFaces(img: RgbImage, faces: readonly DetectedFace[]): Promise<FaceEmotion[]> {
    if (disposed) throw new FerkitError('BAD_ARGUMENT', 'this recognizer was disposed; create a new one');
    checkRgb(img, 0);
    if (!Array.isArray(faces)) throw new FerkitError('BAD_ARGUMENT', 'recognizeFaces takes a picture and a list of faces ({ box, eyes? })');
    faces.forEach(checkFace);
    try {
      return (await emotionsOf([img], [faces]))[0];
    } catch (err) {
      throw asFerkitError(err, 'recognizing faces');
    }
  }

  async function recognizeChecked(images: readonly RgbImage[], call: DetectCall): Promise<FaceEmotion[][]> {
    const faces: (readonly DetectedFace[] | undefined)[] = [];
    for (const img of images) faces.push(detector ? await detector.detect(img, call) : undefined);
    return emotionsOf(images, faces, call);
  }

  /** The emotions of each picture's faces (undefined: the whole picture is one face), classified in one batch. */
  async function emotionsOf(
    images: readonly RgbImage[],
    perImage: readonly (readonly DetectedFace[] | undefined)[],
    call: DetectCall = {},
  ): Promise<FaceEmotion[][]> {
    const started = call.onStage ? performance.now() : 0;
    const found: { image: number; face: DetectedFace; roll: number }[] = [];
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < images.length; i++) {
      const img = images[i];
      const faces = perImage[i];
      if (faces?.length === 0) continue; // no grey copy for pictures without a face (most video frames of an empty scene)
      const crops = faceCrops(img, faces, options);
      inputs.push(faceInputs(img, crops));
      crops.forEach((g, k) =>
        found.push({ image: i, face: faces?.[k] ?? { box: { x: 0, y: 0, width: img.width, height: img.height }, score: 1 }, roll: (g.angle * 180) / Math.PI }),
      );
    }
    const results: FaceEmotion[][] = images.map(() => []);
    if (found.length === 0) return results;
    const cropped = call.onStage ? performance.now() : 0;
    call.onStage?.('crops', cropped - started);
    const probs = await probabilities(concatBytes(inputs));
    call.onStage?.('emotion', performance.now() - cropped);
    found.forEach((f, k) => {
      results[f.image].push(
        toFace(
          probs,
          k * meta.labels.length,
          meta.labels,
          { box: f.face.box, score: f.face.score, ...(f.face.eyes ? { eyes: f.face.eyes } : {}), roll: f.roll },
          uncertainBelow,
        ),
      );
    });
    return results;
  }

  return {
    recognizeRgb,
    detect,
    recognizeFaces,
    classify,
    meta,
    engine,
    runtime: classifier?.runtime ?? 'tfjs',
    dispose() {
      if (disposed) return;
      disposed = true;
      classifier?.dispose();
      model?.dispose();
      detector?.dispose();
    },
  };
}
