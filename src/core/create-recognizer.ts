/**
 * The recognizer on a platform: the emotion model and the face detectors
 * loaded once, through the platform; pictures decoded by it; faces found,
 * cropped and classified by the core. Node's `createRecognizer` and the
 * browser's `createBrowserRecognizer` are this with their platform.
 */
import { asFerkitError, FerkitError } from './errors.js';
import type { EngineChoice } from './engine.js';
import type { DetectCall, DetectorChoice, DetectorOptions } from './face/detector.js';
import { detectorSettings, loadDetector } from './face/load.js';
import type { RgbImage } from './image/pixels.js';
import type { PictureLimitOptions } from './image/limits.js';
import type { RuntimeChoice } from './models/classifier.js';
import type { Platform } from './platform.js';
import { assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from './recognizer.js';

export interface RecognizerOptions extends RecognitionOptions, PictureLimitOptions {
  /** The emotion model: a bundled model's name (`default`, `fast`, `paper`), a model folder (Node) or a folder URL (browser). Default: the bundled default model. */
  model?: string;
  /**
   * Which face detector: `auto` (default: the fast one, BlazeFace, for
   * close-ups, and every face either finds otherwise), `fast`, `accurate`
   * (SSD-MobileNet, tiles for large pictures, 68 landmarks), or its
   * settings, or `false` to treat every input as one face already cropped
   * (as FER2013 images are). See docs/photos-and-videos.md.
   */
  detector?: DetectorChoice | DetectorOptions | false;
  /** TensorFlow.js backend, used only for a model that runs on TensorFlow.js. */
  backend?: EngineChoice;
  /**
   * What runs the emotion network: `onnx` (ONNX Runtime), `tfjs`
   * (TensorFlow.js on `backend`), or `auto` (default): ONNX Runtime where it
   * runs the model. Face detection runs on ONNX Runtime either way.
   */
  runtime?: RuntimeChoice;
}

/** One picture's answer in a batch: its faces, or the error that stopped that picture alone. */
export type PictureResult = { faces: FaceEmotion[]; error?: undefined } | { faces?: undefined; error: FerkitError };

export interface Recognizer<Input> extends PixelRecognizer {
  /** Why the emotion network runs on `runtime`, in words for the user. */
  readonly runtimeReason: string;
  /** The pixels of one picture, as `recognize` reads it (within the recognizer's picture limits). */
  decode(input: Input): Promise<RgbImage>;
  /** Faces and emotions in one picture; an empty list when there is no face. */
  recognize(input: Input, call?: DetectCall): Promise<FaceEmotion[]>;
  /**
   * The same for several pictures, classified in one batch. One picture that
   * cannot be read fails the call (a FerkitError naming it); `recognizeEach`
   * answers the others as well.
   */
  recognize(inputs: readonly Input[], call?: DetectCall): Promise<FaceEmotion[][]>;
  /**
   * Several pictures, each answered on its own: `{ faces }`, or `{ error }`
   * (a FerkitError) for a picture that cannot be read or recognised. Never
   * rejects for a bad picture; the good ones still get their faces.
   */
  recognizeEach(inputs: readonly Input[], call?: DetectCall): Promise<PictureResult[]>;
}

/** The picture limits `options` set; the others keep their defaults. */
function limitsOf(options: PictureLimitOptions): PictureLimitOptions {
  const { maxPixels, maxDecodedBytes, maxSide, maxAspectRatio, formats } = options;
  return Object.fromEntries(Object.entries({ maxPixels, maxDecodedBytes, maxSide, maxAspectRatio, formats }).filter(([, v]) => v !== undefined));
}

/**
 * Loads the face detector and the emotion model once, through `platform`;
 * `recognize()` then finds the faces in a picture, levels and crops each
 * one (grey, 48x48) and says which emotion it shows.
 */
export async function createRecognizer<Input>(platform: Platform<Input>, options: RecognizerOptions = {}): Promise<Recognizer<Input>> {
  // the emotion model and the detectors load side by side (ONNX Runtime builds its sessions off the main thread)
  const [emotion, detection] = await Promise.allSettled([
    platform.startClassifier(options.model, { runtime: options.runtime, backend: options.backend }),
    options.detector === false
      ? Promise.resolve(undefined)
      : loadDetector(platform.detectorFiles(), (bytes) => platform.startNetwork(bytes), detectorSettings(options.detector)),
  ]);
  if (emotion.status === 'rejected' || detection.status === 'rejected') {
    if (emotion.status === 'fulfilled') emotion.value.classifier.dispose();
    if (detection.status === 'fulfilled') detection.value?.dispose();
    throw emotion.status === 'rejected' ? emotion.reason : (detection as PromiseRejectedResult).reason;
  }
  const { classifier, meta, engine, reason } = emotion.value;
  const detector = detection.value;
  const core = assembleRecognizer({ classifier, meta, engine, ...(detector ? { detector } : {}) }, options);
  const limits = limitsOf(options);
  const decode = (input: Input) => platform.decode(input, limits);

  async function recognize(input: Input, call?: DetectCall): Promise<FaceEmotion[]>;
  async function recognize(inputs: readonly Input[], call?: DetectCall): Promise<FaceEmotion[][]>;
  async function recognize(input: Input | readonly Input[], call: DetectCall = {}): Promise<FaceEmotion[] | FaceEmotion[][]> {
    try {
      if (Array.isArray(input)) {
        const all = input as readonly Input[];
        const images = await Promise.all(all.map((one, i) => decode(one).catch((err: unknown) => Promise.reject(pictureError(err, i, all.length)))));
        return await core.recognizeRgb(images, call);
      }
      const [faces] = await core.recognizeRgb([await decode(input as Input)], call);
      return faces;
    } catch (err) {
      throw asFerkitError(err, 'recognizing');
    }
  }

  async function recognizeEach(inputs: readonly Input[], call: DetectCall = {}): Promise<PictureResult[]> {
    if (!Array.isArray(inputs)) throw new FerkitError('BAD_ARGUMENT', 'recognizeEach takes a list of pictures');
    const decoded = await Promise.all(
      inputs.map((one) =>
        decode(one).then(
          (image) => ({ image }),
          (err: unknown) => ({ error: asFerkitError(err, 'decoding a picture') }),
        ),
      ),
    );
    const good = decoded.flatMap((d, i) => ('image' in d ? [i] : []));
    const results: PictureResult[] = decoded.map((d) => ('error' in d ? { error: d.error } : { faces: [] }));
    const images = good.map((i) => (decoded[i] as { image: RgbImage }).image);
    try {
      const faces = await core.recognizeRgb(images, call);
      good.forEach((i, k) => (results[i] = { faces: faces[k] }));
    } catch {
      // one picture broke the batch: answer them one by one, so each gets its own result or error
      for (const [k, i] of good.entries()) {
        try {
          results[i] = { faces: (await core.recognizeRgb([images[k]], call))[0] };
        } catch (err) {
          results[i] = { error: asFerkitError(err, 'recognizing a picture') };
        }
      }
    }
    return results;
  }
  return { ...core, runtimeReason: reason, decode, recognize, recognizeEach };
}

/** A picture of a batch that could not be decoded, named by its place. */
function pictureError(err: unknown, i: number, count: number): FerkitError {
  const e = asFerkitError(err, 'decoding a picture');
  return new FerkitError(e.code, `picture ${i + 1} of ${count}: ${e.message} (recognizeEach answers the other pictures too)`, {
    ...(e.file !== undefined ? { file: e.file } : {}),
    cause: e,
  });
}
