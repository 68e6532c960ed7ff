/**
 * Loading the face detectors from their ONNX files, on whatever engine the
 * platform starts: one contract for every detector, `load(files, start,
 * options)`, giving an object with `detect` and `dispose`. Node reads the
 * files from ferkit's build folder and runs them on onnxruntime-node; a
 * browser fetches them (`/onnx/` on ferkit serve) and runs them on
 * onnxruntime-web.
 */
import { FerkitError } from '../errors.js';
import type { ModelFiles } from '../files.js';
import { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from './blazeface-decode.js';
import { ChoosingDetector } from './choice.js';
import type { Detector, DetectorChoice, DetectorOptions } from './detector.js';
import { OnnxBlazeFace, OnnxSsdDetector, type NetRunner } from './onnx-detectors.js';

/** The detectors' ONNX files, by the names ferkit's build (and `ferkit serve` below `/onnx/`) gives them. */
export const DETECTOR_FILES = {
  /** BlazeFace 256x256 (back camera): the photos' fast detector. */
  blazeface: 'blazeface.onnx',
  /** BlazeFace 128x128 (front camera): selfie-sized faces, a quarter of the work. */
  blazefaceFront: 'blazeface-front.onnx',
  /** SSD-MobileNet v1 at 512x512: the accurate detector. */
  ssd: 'ssd_mobilenetv1.onnx',
  /** The 68-point landmarks of the accurate detector's faces. */
  landmarks: 'face_landmark_68.onnx',
} as const;

/** Starts one network from its ONNX bytes: the platform's inference engine. */
export type StartNetwork = (bytes: Uint8Array) => Promise<NetRunner>;

/** The fast detector's settings. */
export interface FastDetectorOptions {
  minConfidence?: number;
  maxFaces?: number;
  /** `BLAZEFACE_BACK` (256x256, default) or `BLAZEFACE_FRONT` (128x128, for a webcam's close faces). */
  layout?: BlazeFaceLayout;
}

/** The bytes of `file`, or an error that names where it was looked for. */
export async function detectorFile(files: ModelFiles, file: string): Promise<Uint8Array> {
  const bytes = await files.read(file);
  if (!bytes)
    throw new FerkitError(
      'MODEL_NOT_FOUND',
      `no ${file} in ${files.location}: the face detectors' ONNX files are written when ferkit is built (dist/onnx/; /onnx/ on ferkit serve); serve or build them there`,
      { file: `${files.location}${files.location.endsWith('/') ? '' : '/'}${file}` },
    );
  return bytes;
}

/** A network from `files`, started. */
async function startFrom(files: ModelFiles, start: StartNetwork, file: string): Promise<NetRunner> {
  return start(await detectorFile(files, file));
}

/** BlazeFace (the fast detector): the 256x256 back-camera model, or the 128x128 front one. */
export async function loadFastDetector(files: ModelFiles, start: StartNetwork, options: FastDetectorOptions = {}): Promise<OnnxBlazeFace> {
  const layout = options.layout ?? BLAZEFACE_BACK;
  const net = await startFrom(files, start, layout === BLAZEFACE_FRONT ? DETECTOR_FILES.blazefaceFront : DETECTOR_FILES.blazeface);
  return new OnnxBlazeFace(net, options, layout);
}

/** SSD-MobileNet v1 and, unless `landmarks: false`, the 68-point landmarks (the accurate detector). */
export async function loadAccurateDetector(files: ModelFiles, start: StartNetwork, options: Omit<DetectorOptions, 'kind'> = {}): Promise<OnnxSsdDetector> {
  const [ssd, landmarks] = await settleAll([
    startFrom(files, start, DETECTOR_FILES.ssd),
    (options.landmarks ?? true) ? startFrom(files, start, DETECTOR_FILES.landmarks) : undefined,
  ]);
  return new OnnxSsdDetector(ssd!, landmarks, options);
}

/** Detector settings from an option that may be just the choice's name. */
export function detectorSettings(option: DetectorChoice | DetectorOptions | undefined): DetectorOptions {
  return typeof option === 'string' ? { kind: option } : (option ?? {});
}

/**
 * The detectors `options.kind` needs (default `auto`: both, see
 * face/choice.ts), behind one that chooses per picture.
 */
export async function loadDetector(files: ModelFiles, start: StartNetwork, options: DetectorOptions = {}): Promise<ChoosingDetector> {
  const { kind = 'auto', ...rest } = options;
  const fastOptions: FastDetectorOptions = {
    ...(rest.minConfidence !== undefined ? { minConfidence: rest.minConfidence } : {}),
    ...(rest.maxFaces !== undefined ? { maxFaces: rest.maxFaces } : {}),
  };
  const [fast, accurate] = await settleAll<Detector>([
    kind !== 'accurate' ? loadFastDetector(files, start, fastOptions) : undefined,
    kind !== 'fast' ? loadAccurateDetector(files, start, rest) : undefined,
  ]);
  const detectors: { fast?: Detector; accurate?: Detector } = {};
  if (fast) detectors.fast = fast;
  if (accurate) detectors.accurate = accurate;
  return new ChoosingDetector(detectors, kind);
}

/** Waits for every load; when one fails, frees the others and throws the first error. */
export async function settleAll<T extends { dispose(): void }>(loads: readonly (Promise<T> | undefined)[]): Promise<(T | undefined)[]> {
  const settled = await Promise.allSettled(loads.map((l) => l ?? Promise.resolve(undefined)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of settled) if (s.status === 'fulfilled') s.value?.dispose();
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T | undefined>).value);
}
