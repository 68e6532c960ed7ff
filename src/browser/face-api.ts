/** face-api.js in a browser: its ES module build on ferkit's TensorFlow.js, weights fetched from a URL. */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import { FaceDetector, type DetectorOptions, type FaceApi, type FaceApiSource } from '../core/face/detector.js';
import { readModelJson, readWeightData } from '../core/models/loader.js';
import type { ModelJson } from '../core/models/weights.js';
import { urlFiles } from './model-url.js';

/** face-api.js with the weights of its pretrained networks at `weightsUrl` (the package's `model/` folder, served). */
export async function browserFaceApi(weightsUrl: string): Promise<FaceApiSource> {
  let api: FaceApi;
  try {
    // the build without its own TensorFlow.js: it uses the instance ferkit set up
    api = (await import('@vladmandic/face-api/dist/face-api.esm-nobundle.js')) as unknown as FaceApi;
  } catch (err) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `the face detector (@vladmandic/face-api) cannot be loaded (${(err as Error).message}); bundle it with the page`,
      { cause: err },
    );
  }
  const files = urlFiles(weightsUrl);
  return {
    api,
    async weights(name) {
      const manifest = await readModelJson<ModelJson['weightsManifest']>(files, `${name}-weights_manifest.json`);
      if (!manifest)
        throw new FerkitError('MODEL_NOT_FOUND', `no ${name}-weights_manifest.json at ${files.location}; serve face-api's model folder there`, {
          file: files.location,
        });
      return tf.io.decodeWeights(
        await readWeightData(files, manifest),
        manifest.flatMap((g) => g.weights),
      );
    },
  };
}

/** Loads the face detector with face-api's weights at `weightsUrl`. */
export async function loadBrowserFaceDetector(weightsUrl: string, options: DetectorOptions = {}): Promise<FaceDetector> {
  return FaceDetector.load(await browserFaceApi(weightsUrl), options);
}
