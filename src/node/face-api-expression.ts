/**
 * face-api.js's expression net (FaceExpressionNet) in Node, as a ferkit
 * classifier: on ONNX Runtime from a graph written in memory from its
 * weights (src/store/face-api-expression.ts; TensorFlow.js is not loaded),
 * or on TensorFlow.js through face-api.js's own FaceExpressionNet.
 */
import type * as Tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import type { EngineChoice } from '../core/engine.js';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import { FACE_API_EXPRESSIONS, toFerkitOrder } from '../core/models/face-api-expression.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
import { faceApiExpressionMeta, faceApiExpressionOnnxBytes, readFaceApiExpressionWeights } from '../store/face-api-expression.js';
import { loadOnnxRuntime, onnxSession } from './ort.js';

/**
 * face-api.js's expression net on TensorFlow.js, run by face-api.js itself:
 * each crop as a [48, 48, 3] tensor of its grey values in 0..255, given to
 * FaceExpressionNet.forward, which pads, resizes and normalises as it does
 * for any face. Needs TensorFlow.js set up (initEngine).
 */
async function tfjsFaceApiClassifier(nameOrDir: string): Promise<Classifier> {
  const [tf, { nodeFaceApi }] = await Promise.all([import('@tensorflow/tfjs'), import('./face-api.js')]);
  const { manifest, data } = await readFaceApiExpressionWeights(nameOrDir);
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

/** A loaded face-api.js expression net. */
export interface FaceApiExpressionClassifier {
  classifier: Classifier;
  meta: ModelMetadata;
  reason: string;
}

/**
 * face-api.js's expression net as a classifier of ferkit's 48x48 grey crops,
 * giving ferkit's seven emotions in EMOTIONS order. `nameOrDir` is
 * `face-api-expressions` (the installed weights) or a folder holding a copy.
 * `auto` and `onnx` run it on ONNX Runtime (`auto` falls back to
 * TensorFlow.js when ONNX Runtime does not load); `tfjs` runs face-api.js's
 * own FaceExpressionNet on TensorFlow.js (set up with `backend`, or as it is
 * with `current`).
 */
export async function loadFaceApiExpressionClassifier(
  nameOrDir: string = FACE_API_EXPRESSIONS,
  runtime: RuntimeChoice = 'auto',
  backend?: EngineChoice | 'current',
  knownMeta?: ModelMetadata,
): Promise<FaceApiExpressionClassifier> {
  const meta = knownMeta ?? (await faceApiExpressionMeta(nameOrDir));
  if (runtime !== 'tfjs') {
    try {
      const ort = await loadOnnxRuntime();
      const classifier = await sessionClassifier(await onnxSession(await faceApiExpressionOnnxBytes(nameOrDir)), ort.Tensor);
      return { classifier, meta, reason: "ONNX Runtime (onnxruntime-node), face-api.js's expression net written as ONNX by ferkit" };
    } catch (err) {
      if (runtime === 'onnx' || (err instanceof FerkitError && err.code !== 'ENGINE_UNAVAILABLE')) throw err;
    }
  }
  if (backend !== 'current') {
    const { initEngine } = await import('./engine.js');
    await initEngine(backend);
  }
  return { classifier: await tfjsFaceApiClassifier(nameOrDir), meta, reason: "TensorFlow.js, face-api.js's own FaceExpressionNet" };
}
