/**
 * face-api.js's expression net (FaceExpressionNet) on TensorFlow.js in
 * Node, run by face-api.js itself, as a ferkit classifier: the engine
 * behind `runtime: 'tfjs'` for this net (the core writes it as ONNX
 * otherwise: src/core/models/start.ts). TensorFlow.js is imported when it runs.
 */
import type * as Tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import type { Classifier } from '../core/models/classifier.js';
import { toFerkitOrder } from '../core/models/face-api-expression.js';
import type { FaceApiExpressionWeights } from '../core/models/face-api-weights.js';

/**
 * face-api.js's expression net on TensorFlow.js, from its weights: each
 * crop as a [48, 48, 3] tensor of its grey values in 0..255, given to
 * FaceExpressionNet.forward, which pads, resizes and normalises as it does
 * for any face. Needs TensorFlow.js set up (initEngine).
 */
export async function faceApiNetClassifier({ manifest, data }: FaceApiExpressionWeights): Promise<Classifier> {
  const [tf, { nodeFaceApi }] = await Promise.all([import('@tensorflow/tfjs'), import('./face-api.js')]);
  const net = new (nodeFaceApi().api.FaceExpressionNet)();
  const weights = tf.io.decodeWeights(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    manifest.flatMap((g) => g.weights) as Tf.io.WeightsManifestEntry[],
  );
  try {
    net.loadFromWeightMap(weights);
  } catch (err) {
    tf.dispose(Object.values(weights));
    throw new FerkitError('BAD_MODEL', `face-api.js's expression net cannot load its weights (${(err as Error).message}); reinstall with \`npm ci\``, {
      cause: err,
    });
  }
  return {
    runtime: 'tfjs',
    numClasses: 7,
    async run(batch, n) {
      const faces = tf.tidy(() => tf.unstack(tf.tile(tf.mul(tf.tensor4d(batch, [n, 48, 48, 1]), 255), [1, 1, 1, 3])) as Tf.Tensor3D[]);
      let probs: Tf.Tensor2D | undefined;
      try {
        probs = await net.forward(faces);
        return toFerkitOrder((await probs.data()) as Float32Array, n);
      } finally {
        tf.dispose([...faces, ...(probs ? [probs] : [])]);
      }
    },
    dispose: () => net.dispose(),
  };
}
