/** Test-time augmentation: more views of each face, their probabilities averaged. Pure. */
import { IMAGE_SIZE } from '../image/preprocess.js';

/** A normalised [n, h, w, 1] batch with each image mirrored left to right. Pure. */
export function mirrored(batch: Float32Array, n: number, size = IMAGE_SIZE): Float32Array {
  const out = new Float32Array(batch.length);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < size; y++) {
      const row = (i * size + y) * size;
      for (let x = 0; x < size; x++) out[row + x] = batch[row + size - 1 - x];
    }
  }
  return out;
}

/**
 * What test-time augmentation averages: `flip` (or `true`), each face and
 * its mirror image; `ten-crop`, the four corners and the centre of the face
 * at 90% of its side, each enlarged back to full size, and their mirror
 * images.
 */
export type TestTimeAugmentation = boolean | 'flip' | 'ten-crop';

/** The share of the side a ten-crop view keeps. */
const TEN_CROP_SIDE = 0.9;

/**
 * The views test-time augmentation runs for n normalised faces (n * size^2
 * floats): view v of face i is image v * n + i. Pure.
 */
export function testTimeViews(batch: Float32Array, n: number, tta: TestTimeAugmentation, size = IMAGE_SIZE): { views: Float32Array; count: number } {
  if (!tta) return { views: batch, count: 1 };
  if (tta !== 'ten-crop') {
    const views = new Float32Array(2 * batch.length);
    views.set(batch);
    views.set(mirrored(batch, n, size), batch.length);
    return { views, count: 2 };
  }
  const area = size * size;
  const side = TEN_CROP_SIDE * size;
  const far = size - side;
  const origins = [
    [far / 2, far / 2],
    [0, 0],
    [far, 0],
    [0, far],
    [far, far],
  ];
  const crops = new Float32Array(5 * batch.length);
  const step = side / size;
  origins.forEach(([ox, oy], v) => {
    for (let i = 0; i < n; i++) {
      const src = i * area,
        dst = (v * n + i) * area;
      for (let y = 0; y < size; y++) {
        // bilinear sample at the centre of each output pixel, edges clamped
        const sy = Math.min(size - 1, Math.max(0, oy + (y + 0.5) * step - 0.5));
        const y0 = Math.floor(sy),
          y1 = Math.min(size - 1, y0 + 1),
          fy = sy - y0;
        for (let x = 0; x < size; x++) {
          const sx = Math.min(size - 1, Math.max(0, ox + (x + 0.5) * step - 0.5));
          const x0 = Math.floor(sx),
            x1 = Math.min(size - 1, x0 + 1),
            fx = sx - x0;
          const top = batch[src + y0 * size + x0] * (1 - fx) + batch[src + y0 * size + x1] * fx;
          const bottom = batch[src + y1 * size + x0] * (1 - fx) + batch[src + y1 * size + x1] * fx;
          crops[dst + y * size + x] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  });
  const views = new Float32Array(10 * batch.length);
  views.set(crops);
  views.set(mirrored(crops, 5 * n, size), crops.length);
  return { views, count: 10 };
}

/** The mean over views of their probabilities (rows of k; view v of face i at row v * n + i). */
export function meanOverViews(probs: ArrayLike<number>, n: number, k: number, count: number, out: Float32Array, offset = 0): void {
  for (let j = 0; j < n * k; j++) {
    let sum = 0;
    for (let v = 0; v < count; v++) sum += probs[v * n * k + j];
    out[offset + j] = sum / count;
  }
}

