/**
 * ferkit's platform in a browser: pictures read from the page's images,
 * videos, canvases and bitmaps; model and detector files fetched by URL;
 * the face detectors on onnxruntime-web (WebAssembly); the emotion model on
 * TensorFlow.js (WebGL, WebAssembly or JavaScript) or onnxruntime-web.
 */
import { FerkitError } from '../core/errors.js';
import { pictureLimits } from '../core/image/limits.js';
import { tfjsClassifier } from '../core/models/classifier.js';
import { loadModelFrom } from '../core/models/loader.js';
import type { Platform } from '../core/platform.js';
import { initBrowserEngine, type BrowserBackend } from './engine.js';
import { urlFiles } from './model-url.js';
import { browserOnnxClassifier } from './onnx.js';
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

/** ferkit's platform in a browser. Models are folder URLs. */
export function browserPlatform(options: BrowserPlatformOptions = {}): Platform<BrowserImageInput> {
  const ort: OrtWebOptions = {
    ...(options.onnxWasmPaths ? { wasmPaths: options.onnxWasmPaths } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
  };
  const read = pixelReader();
  return {
    name: 'browser',
    decode(input, limits = {}) {
      const image = read(input);
      // the pixel limits hold here too (a page's pictures are decoded by the browser already: formats and decoded bytes are its own)
      const { pixels, side, aspectRatio } = pictureLimits(limits);
      const { width, height } = image;
      if (width * height > pixels || Math.max(width, height) > side || Math.max(width, height) > aspectRatio * Math.min(width, height))
        return Promise.reject(
          new FerkitError(
            'BAD_IMAGE',
            `a picture of ${width}x${height} pixels is over the recognizer's limits (${pixels} pixels, ${side} a side, ${aspectRatio}:1); scale it down, or raise maxPixels, maxSide or maxAspectRatio`,
            { options: ['maxPixels'] },
          ),
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
    async startClassifier(modelUrl, how = {}) {
      if (!modelUrl)
        throw new FerkitError('BAD_ARGUMENT', 'a browser recognizer needs modelUrl: the URL of a model folder (/model/ on ferkit serve)', {
          options: ['modelUrl'],
        });
      const engine = await initBrowserEngine({
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
      });
      const { model, meta } = await loadModelFrom(urlFiles(modelUrl));
      if (how.runtime === 'onnx')
        return { classifier: await browserOnnxClassifier(model, meta, ort), meta, engine, reason: 'onnxruntime-web (WebAssembly), as asked' };
      return { classifier: tfjsClassifier(model), meta, engine, reason: `TensorFlow.js (${engine.backend})` };
    },
  };
}
