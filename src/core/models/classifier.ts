/**
 * A classifier: whatever runs the emotion network on a batch of faces
 * (TensorFlow.js here, ONNX Runtime in src/node/onnx.ts), and the one path
 * from grey crops to the probabilities ferkit reports. Platform-neutral.
 */
import type * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from '../image/preprocess.js';
import { calibrated, normalisedImages, range, type PredictOptions, type ReportingMeta } from './probabilities.js';
import { equalized } from '../image/equalize.js';
import { meanOverViews, testTimeViews } from './tta.js';

/** The runtime that runs the emotion network: `auto` picks the fastest that loads (ONNX Runtime in Node). */
export type RuntimeChoice = 'auto' | 'onnx' | 'tfjs';

export interface Classifier {
  /** What runs the network. */
  readonly runtime: 'tfjs' | 'onnxruntime';
  /** Output classes. */
  readonly numClasses: number;
  /**
   * The network's probabilities (before calibration), n x numClasses, for
   * `n` faces given as a normalised [n, 48, 48, 1] float batch.
   */
  run(batch: Float32Array, n: number): Promise<Float32Array>;
  /** Frees the network. */
  dispose(): void;
}

/** Whether a value is a classifier (rather than, say, a TensorFlow.js model). */
export function isClassifier(x: unknown): x is Classifier {
  const c = x as Partial<Classifier> | null;
  return typeof c?.run === 'function' && typeof c.numClasses === 'number' && typeof c.runtime === 'string';
}

/** A TensorFlow.js layers model as a classifier; it owns the model. Leaves no tensor behind. */
export function tfjsClassifier(model: tf.LayersModel): Classifier {
  const numClasses = model.outputs[0].shape[1] as number;
  return {
    runtime: 'tfjs',
    numClasses,
    async run(batch, n) {
      // imported here: a classifier on another runtime never loads TensorFlow.js (the model given here means it is loaded already)
      const tf = await import('@tensorflow/tfjs');
      const p = tf.tidy(() => model.predict(tf.tensor4d(batch, [n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor);
      try {
        return (await p.data()) as Float32Array;
      } finally {
        p.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Probabilities as ferkit reports them, from any classifier: the
 * network's on the faces equalised as the model's preprocessing says,
 * averaged over the test-time views when `tta`, and calibrated with the
 * model's fitted temperature and class bias when it has them (as
 * `modelProbabilities` does for a TensorFlow.js model).
 */
export async function classifierProbabilities(
  classifier: Classifier,
  meta: ReportingMeta,
  faces: Uint8Array,
  options: PredictOptions = {},
): Promise<Float32Array> {
  const pixels = equalized(faces, meta.preprocessing?.equalize);
  const count = pixels.length / PIXELS_PER_IMAGE;
  const k = classifier.numClasses;
  const batchSize = options.batchSize ?? 256;
  const out = new Float32Array(count * k);
  for (let s = 0; s < count; s += batchSize) {
    const e = Math.min(count, s + batchSize);
    const n = e - s;
    const x = normalisedImages(pixels, range(s, e));
    // the faces and their test-time views in one run
    const { views, count: c } = testTimeViews(x, n, options.tta ?? false);
    meanOverViews(await classifier.run(views, c * n), n, k, c, out, s * k);
  }
  return calibrated(out, k, meta, options);
}
