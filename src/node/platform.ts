/**
 * ferkit's platform in Node: pictures decoded with sharp, model files read
 * from folders (only regular files inside them), the face detectors' ONNX
 * files from ferkit's build, networks run by onnxruntime-node, emotion
 * models started as src/node/emotion-model.ts says.
 */
import type * as Ort from 'onnxruntime-node';
import { FerkitError } from '../core/errors.js';
import { sessionRunner, type NetRunner } from '../core/ort.js';
import type { ImageInput } from '../core/image/pixels.js';
import type { ModelFiles } from '../core/files.js';
import type { Platform } from '../core/platform.js';
import { builtOnnxDir, defaultModelDir } from '../fs/paths.js';
import { readModelFile } from '../fs/read.js';
import { loadRgb } from '../fs/picture.js';
import { loadClassifier } from './emotion-model.js';
import { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';

/** A runner over an ONNX Runtime session of the graph in `bytes`. */
export async function onnxRunner(bytes: Uint8Array, options: OnnxSessionOptions = {}): Promise<NetRunner> {
  const ort: typeof Ort = await loadOnnxRuntime();
  return sessionRunner(await onnxSession(bytes, options), ort.Tensor);
}

/** The ONNX files written when ferkit was built, or an error that says how to make them. */
export function builtFiles(): ModelFiles {
  const dir = builtOnnxDir();
  return {
    location: dir,
    async read(path: string, maxBytes?: number) {
      const bytes = await readModelFile(dir, path, maxBytes);
      if (!bytes)
        throw new FerkitError(
          'MODEL_NOT_FOUND',
          `${dir}/${path} is missing: ferkit's ONNX networks are written when it is built; run \`npm run build\` in ferkit's folder (or reinstall it)`,
          { file: `${dir}/${path}` },
        );
      return bytes;
    },
  };
}

/** ferkit's platform in Node. Pictures are file paths, encoded bytes or raw pixels. */
export function nodePlatform(): Platform<ImageInput> {
  return {
    name: 'node',
    decode: (input, limits) => loadRgb(input, limits),
    detectorFiles: builtFiles,
    startNetwork: (bytes) => onnxRunner(bytes),
    startClassifier: (model, options = {}) => loadClassifier(model ?? defaultModelDir(), options.runtime, options.backend),
  };
}
