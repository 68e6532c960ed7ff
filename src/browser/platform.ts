/**
 * ferkit's platform in a browser: pictures read from the page's images,
 * videos, canvases and bitmaps; model and detector files fetched by URL;
 * the face detectors on onnxruntime-web (WebAssembly); the emotion model on
 * TensorFlow.js (WebGL, WebAssembly or JavaScript) or onnxruntime-web, as
 * the core's startClassifier decides.
 */
import type { EngineInfo } from '../core/engine.js';
import { FerkitError } from '../core/errors.js';
import { pictureLimits, sizeProblem } from '../core/image/limits.js';
import { startClassifier, type ClassifierEngines } from '../core/models/start.js';
import type { Platform } from '../core/platform.js';
import { initBrowserEngine, type BrowserBackend } from './engine.js';
import { urlFiles } from './model-url.js';
import { browserOnnxGraphClassifier } from './onnx.js';
import { browserOnnxRunner, type OrtWebOptions } from './onnx-runner.js';
import { pixelReader, type BrowserImageInput } from './pixels.js';

export interface BrowserPlatformOptions {
  /** Folder URL of the face detectors' ONNX files (`/onnx/` on ferkit serve). */
  onnxUrl?: string;
  /** TensorFlow.js backend for an emotion model on TensorFlow.js. Default auto: WebGL, else WebAssembly, else JavaScript. */
  backend?: BrowserBackend;
  /** Folder URL of TensorFlow.js's WebAssembly backend files, when it may be used. */
  wasmPaths?: string;
  /** Folder URL of onnxruntime-web's .wasm files (`/ort-wasm/` on ferkit serve); default beside its script. */
  onnxWasmPaths?: string;
  /** onnxruntime-web's WebAssembly threads; default `wasmThreads()`. */
  threads?: number;
}

/** The engine a browser recognizer reports when onnxruntime-web runs the emotion model and TensorFlow.js is not set up. */
const ONNX_WEB_ENGINE: EngineInfo = {
  backend: 'onnxruntime',
  native: false,
  reason: 'onnxruntime-web (WebAssembly) runs the face detectors and the emotion model; TensorFlow.js is not set up',
};

/**
 * ferkit's platform in a browser. Models are folder URLs, started by the
 * core (src/core/models/start.ts): a model read with TensorFlow.js, on it
 * (`auto`, `tfjs`) or converted for onnxruntime-web (`onnx`); face-api.js's
 * expression net and ensembles that combine their members, member by member.
 */
export function browserPlatform(options: BrowserPlatformOptions = {}): Platform<BrowserImageInput> {
  const ort: OrtWebOptions = {
    ...(options.onnxWasmPaths ? { wasmPaths: options.onnxWasmPaths } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
  };
  const read = pixelReader();
  const engines: ClassifierEngines = {
    onnxName: 'onnxruntime-web, WebAssembly',
    onnxEngine: ONNX_WEB_ENGINE,
    // TensorFlow.js on the GPU (WebGL) where the page has one: the browser's default for a model read with it
    autoRuntime: 'tfjs',
    onnx: (bytes) => browserOnnxGraphClassifier(bytes, ort),
    // the page's backend, whatever the recognizer asks (a browser has its own backends)
    tfjs: () =>
      initBrowserEngine({
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
      }),
  };
  return {
    name: 'browser',
    decode(input, limits = {}) {
      const image = read(input);
      // the pixel limits hold here too (a page's pictures are decoded by the browser already: formats and decoded bytes are its own)
      const problem = sizeProblem(image.width, image.height, pictureLimits(limits));
      if (problem)
        return Promise.reject(
          new FerkitError('BAD_IMAGE', `${problem.message} or raise ${problem.option}`, problem.option ? { options: [problem.option] } : {}),
        );
      return Promise.resolve(image);
    },
    detectorFiles() {
      if (!options.onnxUrl)
        throw new FerkitError(
          'BAD_ARGUMENT',
          "finding faces needs onnxUrl: the URL of the folder holding ferkit's detector ONNX files (/onnx/ on ferkit serve), or detector: false for pictures that are one face each",
          {
            options: ['onnxUrl'],
          },
        );
      return urlFiles(options.onnxUrl);
    },
    startNetwork: (bytes) => browserOnnxRunner(bytes, ort),
    startClassifier(modelUrl, how = {}) {
      if (!modelUrl)
        return Promise.reject(
          new FerkitError('BAD_ARGUMENT', 'a browser recognizer needs modelUrl: the URL of a model folder (/model/ on ferkit serve)', {
            options: ['modelUrl'],
          }),
        );
      return startClassifier(urlFiles(modelUrl), engines, { runtime: how.runtime, backend: how.backend });
    },
  };
}
