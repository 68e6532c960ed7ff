/**
 * ferkit's platform in Node: pictures decoded with sharp, model files read
 * from folders (only regular files inside them), the face detectors' ONNX
 * files from ferkit's build, networks run by onnxruntime-node, emotion
 * models started as src/node/emotion-model.ts says.
 */
import type * as Ort from 'onnxruntime-node';
import { FerkitError } from '../core/errors.js';
import type { NetRunner, NetTensor } from '../core/face/onnx-detectors.js';
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
  const session = await onnxSession(bytes, options);
  return {
    async run(feeds: Record<string, NetTensor>, outputs: readonly string[]) {
      const inputs: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(inputs, outputs as string[]);
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    },
    dispose() {
      // dispose() does not wait: a session that cannot be released (released already) has nothing left to free
      session.release().catch(() => undefined);
    },
  };
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
