/** face-api.js in Node: the build that shares ferkit's TensorFlow.js, and its pretrained weights from the installed package. */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { FaceDetector, type DetectorOptions, type FaceApi, type FaceApiSource } from '../core/face/detector.js';
import { readModelJson, readWeightData } from '../core/models/loader.js';
import type { ModelJson } from '../core/models/weights.js';
import { folderFiles } from '../store/folder.js';

const require = createRequire(import.meta.url);

/** face-api.js and the weights of its pretrained networks, as installed by `npm ci`. */
export function nodeFaceApi(): FaceApiSource {
  let api: FaceApi, modelDir: string;
  try {
    // the build that uses the @tensorflow/tfjs instance ferkit already set up (any backend)
    api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  } catch (err) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `the face detector (@vladmandic/face-api) cannot be loaded (${(err as Error).message}); reinstall with \`npm ci\``,
      { cause: err },
    );
  }
  const files = folderFiles(modelDir);
  return {
    api,
    async weights(name) {
      const manifestFile = `${name}-weights_manifest.json`;
      try {
        const manifest = await readModelJson<ModelJson['weightsManifest']>(files, manifestFile);
        if (!manifest) throw new Error(`${manifestFile} is missing`);
        return tf.io.decodeWeights(
          await readWeightData(files, manifest),
          manifest.flatMap((g) => g.weights),
        );
      } catch (err) {
        throw new FerkitError(
          'MODEL_NOT_FOUND',
          `face detector weights missing or damaged in ${modelDir} (${(err as Error).message}); reinstall with \`npm ci\``,
          { file: join(modelDir, manifestFile), cause: err },
        );
      }
    },
  };
}

/** Loads the face detector with the weights installed with ferkit. */
export function loadFaceDetector(options: DetectorOptions = {}): Promise<FaceDetector> {
  return FaceDetector.load(nodeFaceApi(), options);
}
