/** The recognizer in Node: models from folders, pictures from files, bytes or pixels. */
import { asFerkitError, FerkitError } from '../core/errors.js';
import type { EngineChoice } from '../core/engine.js';
import { assembleRecognizer, type FaceEmotion, type PixelRecognizer, type RecognitionOptions } from '../core/recognizer.js';
import type { DetectCall, DetectorChoice, DetectorOptions } from '../core/face/detector.js';
import type { RgbImage } from '../core/image/pixels.js';
import { loadRgb, type DecodeOptions, type ImageInput } from './decode.js';
import { defaultModelDir } from './model-paths.js';
import { detectorSettings, loadDetector } from './detector.js';
import type { RuntimeChoice } from '../core/models/classifier.js';
import { loadClassifier } from './emotion-model.js';

export interface RecognizerOptions extends RecognitionOptions, DecodeOptions {
  /** Emotion model folder, or a bundled model's name (`default`, `fast`, `paper`). Default: the bundled default model. */
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
  /**
   * TensorFlow.js backend, used only for a model that runs on TensorFlow.js
   * (`runtime: 'tfjs'`) or a model folder of your own (read, then converted to
   * ONNX); default auto (native engine where it loads) for the first, the pure
   * JavaScript backend for the second, or the FERKIT_BACKEND environment variable.
   */
  backend?: EngineChoice;
  /**
   * What runs the emotion network: `onnx` (ONNX Runtime, the model converted
   * in memory), `tfjs` (TensorFlow.js on `backend`), or `auto` (default): ONNX
   * Runtime, faster for every bundled model, unless it does not load or
   * cannot run the model. Face detection runs on ONNX Runtime either way.
   * Default auto, or the FERKIT_RUNTIME environment variable.
   */
  runtime?: RuntimeChoice;
}

/** One picture's answer in a batch: its faces, or the error that stopped that picture alone. */
export type PictureResult = { faces: FaceEmotion[]; error?: undefined } | { faces?: undefined; error: FerkitError };

export interface Recognizer extends PixelRecognizer {
  /** Why the emotion network runs on `runtime`, in words for the user. */
  readonly runtimeReason: string;
  /** Faces and emotions in one picture; an empty list when there is no face. */
  recognize(input: ImageInput, call?: DetectCall): Promise<FaceEmotion[]>;
  /**
   * The same for several pictures, classified in one batch. One picture that
   * cannot be read fails the call (a FerkitError naming it); `recognizeEach`
   * answers the others as well.
   */
  recognize(inputs: readonly ImageInput[], call?: DetectCall): Promise<FaceEmotion[][]>;
  /**
   * Several pictures, each answered on its own: `{ faces }`, or `{ error }`
   * (a FerkitError) for a picture that cannot be read or recognised. Never
   * rejects for a bad picture; the good ones still get their faces.
   */
  recognizeEach(inputs: readonly ImageInput[], call?: DetectCall): Promise<PictureResult[]>;
}

/**
 * Loads the face detector and the emotion model once; `recognize()` then
 * finds the faces in a picture, levels and crops each one (grey, 48x48) and
 * says which emotion it shows.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  // the emotion model and the detectors load side by side (ONNX Runtime builds its sessions off the main thread)
  const [emotion, detection] = await Promise.allSettled([
    loadClassifier(options.model ?? defaultModelDir(), options.runtime, options.backend),
    options.detector === false ? Promise.resolve(undefined) : loadDetector(detectorSettings(options.detector)),
  ]);
  if (emotion.status === 'rejected' || detection.status === 'rejected') {
    if (emotion.status === 'fulfilled') emotion.value.classifier.dispose();
    if (detection.status === 'fulfilled') detection.value?.dispose();
    throw emotion.status === 'rejected' ? emotion.reason : (detection as PromiseRejectedResult).reason;
  }
  const { classifier, meta, engine, reason } = emotion.value;
  const detector = detection.value;
  const core = assembleRecognizer({ classifier, meta, engine, ...(detector ? { detector } : {}) }, options);

  // the picture limits the options set (src/core/image/limits.ts); the others at their defaults
  const { maxPixels, maxDecodedBytes, maxSide, maxAspectRatio, formats } = options;
  const decodeOptions: DecodeOptions = Object.fromEntries(
    Object.entries({ maxPixels, maxDecodedBytes, maxSide, maxAspectRatio, formats }).filter(([, v]) => v !== undefined),
  );
  const decode = (input: ImageInput) => loadRgb(input, decodeOptions);

  async function recognize(input: ImageInput, call?: DetectCall): Promise<FaceEmotion[]>;
  async function recognize(inputs: readonly ImageInput[], call?: DetectCall): Promise<FaceEmotion[][]>;
  async function recognize(input: ImageInput | readonly ImageInput[], call: DetectCall = {}): Promise<FaceEmotion[] | FaceEmotion[][]> {
    try {
      if (Array.isArray(input)) {
        const images = await Promise.all(
          (input as readonly ImageInput[]).map((one, i) =>
            decode(one).catch((err: unknown) => {
              const e = asFerkitError(err, 'decoding a picture');
              throw new FerkitError(e.code, `picture ${i + 1} of ${input.length}: ${e.message} (recognizeEach answers the other pictures too)`, {
                ...(e.file !== undefined ? { file: e.file } : {}),
                cause: e,
              });
            }),
          ),
        );
        return await core.recognizeRgb(images, call);
      }
      const [faces] = await core.recognizeRgb([await decode(input as ImageInput)], call);
      return faces;
    } catch (err) {
      throw asFerkitError(err, 'recognizing');
    }
  }

  async function recognizeEach(inputs: readonly ImageInput[], call: DetectCall = {}): Promise<PictureResult[]> {
    if (!Array.isArray(inputs)) throw new FerkitError('BAD_ARGUMENT', 'recognizeEach takes a list of pictures (file paths, encoded bytes or raw pixels)');
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
  return { ...core, runtimeReason: reason, recognize, recognizeEach };
}
