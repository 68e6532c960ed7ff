/**
 * ONNX Runtime Web (its WebAssembly engine) as the browser's network
 * runner: the face detectors' ONNX files (written into dist/onnx/ when
 * ferkit is built; `ferkit serve` has them at `/onnx/`) fetched by URL and
 * run by src/core/face/onnx-detectors.ts, which computes the same pre- and
 * post-processing as everywhere else.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { FerkitError } from '../core/errors.js';
import type { ChoosingDetector } from '../core/face/choice.js';
import type { DetectorOptions } from '../core/face/detector.js';
import { loadDetector, loadFastDetector, type FastDetectorOptions, type StartNetwork } from '../core/face/load.js';
import type { OnnxBlazeFace } from '../core/face/onnx-detectors.js';
import { sessionRunner, type NetRunner } from '../core/ort.js';
import type { ModelFiles } from '../core/files.js';
import { wasmThreads } from './engine.js';
import { urlFiles } from './model-url.js';

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
  return sessionRunner(session, ort.Tensor);
}

/** The detectors' ONNX files in the folder at `onnxUrl` (`/onnx/` on ferkit serve). */
export function onnxFiles(onnxUrl: string): ModelFiles {
  return urlFiles(onnxUrl);
}

/** Starts networks on onnxruntime-web with these settings. */
function starter(options: OrtWebOptions): StartNetwork {
  const { wasmPaths, threads } = options;
  const ort = { ...(wasmPaths ? { wasmPaths } : {}), ...(threads ? { threads } : {}) };
  return (bytes) => browserOnnxRunner(bytes, ort);
}

export interface BrowserOnnxBlazeFaceOptions extends OrtWebOptions, FastDetectorOptions {}

/** BlazeFace on onnxruntime-web, its ONNX file fetched from the folder at `onnxUrl` (`/onnx/` on ferkit serve). */
export function loadBrowserOnnxBlazeFace(onnxUrl: string, options: BrowserOnnxBlazeFaceOptions = {}): Promise<OnnxBlazeFace> {
  const { wasmPaths: _w, threads: _t, ...rest } = options;
  return loadFastDetector(onnxFiles(onnxUrl), starter(options), rest);
}

/**
 * The detectors `options.kind` needs (default `auto`: both, see
 * core/face/choice.ts), on onnxruntime-web, from the folder at `onnxUrl`:
 * BlazeFace 256x256 (fast) and SSD-MobileNet with its landmarks (accurate),
 * behind one that chooses per picture, as `ferkit predict` does.
 */
export function loadBrowserOnnxDetector(onnxUrl: string, options: DetectorOptions & OrtWebOptions = {}): Promise<ChoosingDetector> {
  const { wasmPaths: _w, threads: _t, ...rest } = options;
  return loadDetector(onnxFiles(onnxUrl), starter(options), rest);
}
