/**
 * What the core needs from the platform it runs on, and nothing more:
 * decoding a picture into pixels, reading model and detector files, and
 * starting an inference engine. Node (src/node/platform.ts) and the browser
 * (src/browser/platform.ts) each implement it once; the recognizer and the
 * loaders in the core take a platform and never import one.
 */
import type { EngineChoice } from './engine.js';
import type { RgbImage } from './image/pixels.js';
import type { PictureLimitOptions } from './image/limits.js';
import type { NetRunner } from './face/onnx-detectors.js';
import type { RuntimeChoice } from './models/classifier.js';
import type { ModelFiles } from './files.js';
import type { LoadedClassifier } from './models/start.js';

export type { LoadedClassifier } from './models/start.js';

/** How to run an emotion model. */
export interface ClassifierOptions {
  /** `onnx`, `tfjs` or `auto` (the platform's fastest that runs the model). */
  runtime?: RuntimeChoice | undefined;
  /** The TensorFlow.js backend, for a model that runs on TensorFlow.js; `current`: as already set up. */
  backend?: EngineChoice | 'current' | undefined;
}

/**
 * One platform. `Input` is what its pictures are: file paths and bytes in
 * Node, images, canvases and video frames in a browser.
 */
export interface Platform<Input> {
  /** For messages: `node`, `browser`. */
  readonly name: string;
  /** The pixels of one picture, refused (a BAD_IMAGE FerkitError) beyond `limits`. */
  decode(input: Input, limits?: PictureLimitOptions): Promise<RgbImage>;
  /** The files of the face detectors' networks (`blazeface.onnx`, `ssd_mobilenetv1.onnx`, …). */
  detectorFiles(): ModelFiles;
  /** An inference engine running one network: the ONNX graph in `bytes`. */
  startNetwork(bytes: Uint8Array): Promise<NetRunner>;
  /** The emotion model `model` (a name or location the platform knows) running on the engine `options` pick. */
  startClassifier(model: string | undefined, options?: ClassifierOptions): Promise<LoadedClassifier>;
}

/** Starts an emotion model: a platform's `startClassifier`. */
export type StartClassifier = (model: string | undefined, options?: ClassifierOptions) => Promise<LoadedClassifier>;
