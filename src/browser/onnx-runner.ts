/**
 * ONNX Runtime Web (its WebAssembly engine) as the browser's network
 * runner: the face detectors' ONNX files (written into dist/onnx/ when
 * ferkit is built; `ferkit serve` has them at `/onnx/`) fetched by URL and
 * run by src/face/onnx-detectors.ts, which computes the same pre- and
 * post-processing as everywhere else.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { FerkitError } from '../errors.js';
import { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../face/blazeface-decode.js';
import { ChoosingDetector } from '../face/choice.js';
import type { Detector, DetectorOptions } from '../face/detector.js';
import { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../face/onnx-detectors.js';
import { wasmThreads } from './engine.js';
import { urlFiles } from './model-url.js';

/** The ONNX files of the face detectors, by the names `ferkit serve` gives them below `/onnx/`. */
export const ONNX_DETECTOR_FILES = {
  /** BlazeFace 256x256 (back camera): the photos' fast detector. */
  blazeface: 'blazeface.onnx',
  /** BlazeFace 128x128 (front camera): selfie-sized faces, a quarter of the work. */
  blazefaceFront: 'blazeface-front.onnx',
  /** SSD-MobileNet v1 at 512x512: the accurate detector. */
  ssd: 'ssd_mobilenetv1.onnx',
  /** The 68-point landmarks of the accurate detector's faces. */
  landmarks: 'face_landmark_68.onnx',
} as const;

export interface OrtWebOptions {
  /**
   * Folder URL of onnxruntime-web's WebAssembly files
   * (`ort-wasm-simd-threaded.wasm` and `.mjs`; `/ort-wasm/` on ferkit
   * serve); default: onnxruntime-web's own (beside its script).
   */
  wasmPaths?: string;
  /**
   * WebAssembly threads; default `wasmThreads()`: the cores the browser
   * reports, at most 4, on a cross-origin-isolated page (threads need it),
   * else 1.
   */
  threads?: number;
}

/** onnxruntime-web, set up, and the threads it runs on. */
export interface OrtWebRuntime {
  ort: typeof OrtWeb;
  threads: number;
}

let runtime: Promise<OrtWebRuntime> | undefined;

/**
 * onnxruntime-web's WebAssembly engine, its settings made on the first call.
 * The engine reads them once, when its first session starts: later calls get
 * the same runtime whatever they ask (`threads` tells what it runs on).
 */
export function ortWeb(options: OrtWebOptions = {}): Promise<OrtWebRuntime> {
  runtime ??= startOrtWeb(options).catch((err: unknown) => {
    // a failed start may be tried again
    runtime = undefined;
    throw err;
  });
  return runtime;
}

async function startOrtWeb(options: OrtWebOptions): Promise<OrtWebRuntime> {
  const asked = options.threads ?? wasmThreads();
  if (!(Number.isInteger(asked) && asked >= 1)) throw new FerkitError('BAD_ARGUMENT', `threads must be a whole number from 1, got ${asked}`);
  let ort: typeof OrtWeb;
  try {
    ort = await import('onnxruntime-web/wasm');
  } catch (err) {
    throw new FerkitError('ENGINE_UNAVAILABLE', `ONNX Runtime Web cannot be loaded (${(err as Error).message}); bundle onnxruntime-web with the page`, {
      cause: err,
    });
  }
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  // more than one thread needs SharedArrayBuffer: a cross-origin-isolated page
  const threads = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true ? asked : 1;
  // set explicitly: onnxruntime-web's own default is half the cores
  ort.env.wasm.numThreads = threads;
  return { ort, threads };
}

/** A network runner over an onnxruntime-web session of the ONNX file in `bytes`. */
export async function browserOnnxRunner(bytes: Uint8Array, options: OrtWebOptions = {}): Promise<NetRunner> {
  const { ort } = await ortWeb(options);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    async run(feeds: Record<string, NetTensor>, outputs: readonly string[]) {
      const inputs: Record<string, OrtWeb.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(inputs, outputs as string[]);
      // the WebAssembly engine's outputs are copies, the caller's to keep
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    },
    dispose() {
      // dispose() does not wait: a session that cannot be released (released already) has nothing left to free
      session.release().catch(() => undefined);
    },
  };
}

/** The bytes of `file` in the folder at `baseUrl`, or an error that says where it was looked for. */
async function fetchOnnx(baseUrl: string, file: string): Promise<Uint8Array> {
  const files = urlFiles(baseUrl);
  const bytes = await files.read(file);
  if (!bytes)
    throw new FerkitError('MODEL_NOT_FOUND', `no ${file} at ${files.location}; serve ferkit's dist/onnx/ folder there (/onnx/ on ferkit serve)`, {
      file: files.location + file,
    });
  return bytes;
}

/** A runner for `file` in the folder at `baseUrl`. */
export async function urlOnnxRunner(baseUrl: string, file: string, options: OrtWebOptions = {}): Promise<NetRunner> {
  return browserOnnxRunner(await fetchOnnx(baseUrl, file), options);
}

export interface BrowserOnnxBlazeFaceOptions extends OrtWebOptions {
  minConfidence?: number;
  maxFaces?: number;
  /** `BLAZEFACE_BACK` (256x256, default) or `BLAZEFACE_FRONT` (128x128, for a webcam's close faces). */
  layout?: BlazeFaceLayout;
}

/** BlazeFace on onnxruntime-web, its ONNX file fetched from the folder at `onnxUrl` (`/onnx/` on ferkit serve). */
export async function loadBrowserOnnxBlazeFace(onnxUrl: string, options: BrowserOnnxBlazeFaceOptions = {}): Promise<OnnxBlazeFace> {
  const { wasmPaths, threads, layout = BLAZEFACE_BACK, ...rest } = options;
  const file = layout === BLAZEFACE_FRONT ? ONNX_DETECTOR_FILES.blazefaceFront : ONNX_DETECTOR_FILES.blazeface;
  const net = await urlOnnxRunner(onnxUrl, file, { ...(wasmPaths ? { wasmPaths } : {}), ...(threads ? { threads } : {}) });
  return new OnnxBlazeFace(net, rest, layout);
}

/** SSD-MobileNet v1 and, unless `landmarks: false`, the 68-point landmarks on onnxruntime-web, from the folder at `onnxUrl`. */
export async function loadBrowserOnnxSsd(onnxUrl: string, options: Omit<DetectorOptions, 'kind'> & OrtWebOptions = {}): Promise<OnnxSsdDetector> {
  const { wasmPaths, threads, ...rest } = options;
  const ort = { ...(wasmPaths ? { wasmPaths } : {}), ...(threads ? { threads } : {}) };
  const [ssd, landmarks] = await Promise.allSettled([
    urlOnnxRunner(onnxUrl, ONNX_DETECTOR_FILES.ssd, ort),
    (rest.landmarks ?? true) ? urlOnnxRunner(onnxUrl, ONNX_DETECTOR_FILES.landmarks, ort) : Promise.resolve(undefined),
  ]);
  if (ssd.status === 'rejected' || landmarks.status === 'rejected') {
    if (ssd.status === 'fulfilled') ssd.value.dispose();
    if (landmarks.status === 'fulfilled') landmarks.value?.dispose();
    throw ssd.status === 'rejected' ? ssd.reason : (landmarks as PromiseRejectedResult).reason;
  }
  return new OnnxSsdDetector(ssd.value, landmarks.value, rest);
}

/**
 * The detectors `options.kind` needs (default `auto`: both, see
 * face/choice.ts), on onnxruntime-web, from the folder at `onnxUrl`:
 * BlazeFace 256x256 (fast) and SSD-MobileNet with its landmarks (accurate),
 * behind one that chooses per picture, as `ferkit predict` does.
 */
export async function loadBrowserOnnxDetector(onnxUrl: string, options: DetectorOptions & OrtWebOptions = {}): Promise<ChoosingDetector> {
  const { kind = 'auto', wasmPaths, threads, ...rest } = options;
  const ort = { ...(wasmPaths ? { wasmPaths } : {}), ...(threads ? { threads } : {}) };
  const fastOptions = {
    ...ort,
    ...(rest.minConfidence !== undefined ? { minConfidence: rest.minConfidence } : {}),
    ...(rest.maxFaces !== undefined ? { maxFaces: rest.maxFaces } : {}),
  };
  const [fast, accurate] = await Promise.allSettled([
    kind !== 'accurate' ? loadBrowserOnnxBlazeFace(onnxUrl, fastOptions) : Promise.resolve(undefined),
    kind !== 'fast' ? loadBrowserOnnxSsd(onnxUrl, { ...rest, ...ort }) : Promise.resolve(undefined),
  ]);
  if (fast.status === 'rejected' || accurate.status === 'rejected') {
    if (fast.status === 'fulfilled') fast.value?.dispose();
    if (accurate.status === 'fulfilled') accurate.value?.dispose();
    throw fast.status === 'rejected' ? fast.reason : (accurate as PromiseRejectedResult).reason;
  }
  const detectors: { fast?: Detector; accurate?: Detector } = {};
  if (fast.value) detectors.fast = fast.value;
  if (accurate.value) detectors.accurate = accurate.value;
  return new ChoosingDetector(detectors, kind);
}
