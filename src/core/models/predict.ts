import * as tf from '@tensorflow/tfjs';
import { PIXELS_PER_IMAGE, IMAGE_SIZE } from '../image/preprocess.js';
import { meanOverViews, testTimeViews, type TestTimeAugmentation } from './tta.js';
import { equalized } from '../image/equalize.js';
import { calibrated, normalisedImages, range, type PredictOptions, type ReportingMeta } from './probabilities.js';

export { calibrated, normalisedImages, range, type PredictOptions, type ReportingMeta } from './probabilities.js';

/** The listed images as a normalised [n,48,48,1] batch. */
export function batchTensor(pixels: Uint8Array, indices: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(normalisedImages(pixels, indices), [indices.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/**
 * Class probabilities for every image of a pixel array (count*48*48 grey
 * bytes), computed in batches; returns count * numClasses floats. Leaves no tensor behind.
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  pixels: Uint8Array,
  batchSize = 256,
  options: { tta?: TestTimeAugmentation } = {},
): Promise<Float32Array> {
  const count = pixels.length / PIXELS_PER_IMAGE;
  const numClasses = (model.outputs[0].shape[1] as number) ?? 7;
  const out = new Float32Array(count * numClasses);
  for (let s = 0; s < count; s += batchSize) {
    const e = Math.min(count, s + batchSize);
    if (options.tta === 'ten-crop') {
      // test-time augmentation over ten views: run them all, then average per face
      const n = e - s;
      const { views, count: c } = testTimeViews(normalisedImages(pixels, range(s, e)), n, 'ten-crop');
      const p = tf.tidy(() => model.predict(tf.tensor4d(views, [c * n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor);
      meanOverViews((await p.data()) as Float32Array, n, numClasses, c, out, s * numClasses);
      p.dispose();
      continue;
    }
    const probs = tf.tidy(() => {
      const x = batchTensor(pixels, range(s, e));
      const p = model.predict(x) as tf.Tensor;
      // test-time augmentation: the mean of the face and its mirror image
      return options.tta ? tf.div(tf.add(p, model.predict(tf.reverse(x, 2)) as tf.Tensor), 2) : p;
    });
    out.set((await probs.data()) as Float32Array, s * numClasses);
    probs.dispose();
  }
  return out;
}

/**
 * Probabilities as ferkit reports them: the model's on the faces equalised
 * as its preprocessing says, averaged with the mirrored face when `tta`, and
 * calibrated with the model's fitted temperature and class bias when it has them.
 */
export async function modelProbabilities(model: tf.LayersModel, meta: ReportingMeta, pixels: Uint8Array, options: PredictOptions = {}): Promise<Float32Array> {
  const probs = await predictProbabilities(model, equalized(pixels, meta.preprocessing?.equalize), options.batchSize ?? 256, { tta: options.tta ?? false });
  return calibrated(probs, model.outputs[0].shape[1] as number, meta, options);
}

