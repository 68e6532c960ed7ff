/**
 * Near-duplicate faces between two datasets. FER2013 holds the same picture
 * more than once, and some of its PublicTest faces are copies of Training
 * faces (with the same label, nearly always): a model that trained on the
 * copy is scored on a face it has seen. Finding them lets evaluation leave
 * them out.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
import { subset, type Dataset } from './dataset.js';

/** Cosine similarity (of mean-centred pixels) at or above which two faces count as the same picture. */
export const DUPLICATE_THRESHOLD = 0.99;

export interface NearestFaces {
  /** For each query face, the index of the most similar reference face. */
  nearest: Int32Array;
  /** Its cosine similarity, in [-1, 1], of the mean-centred pixels. */
  similarity: Float32Array;
}

export interface DuplicateOptions {
  /** Query faces compared per step (memory: batch x reference count floats). Default 256. */
  batch?: number;
}

/** Mean-centred, unit-length pixel rows: their dot products are cosine similarities, blind to brightness and contrast. */
function centredRows(d: Dataset): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(d.pixels), [d.count, PIXELS_PER_IMAGE]);
    const c = x.sub(x.mean(1, true));
    return c.div(c.norm(2, 1, true).add(1e-6)) as tf.Tensor2D;
  });
}

/**
 * For every face of `query`, the most similar face of `reference`: the
 * cosine similarity of their pixels after subtracting each image's mean, so
 * the same picture stays at ~1 when re-encoded, brightened or its contrast
 * changed, while a mirrored copy or another face scores lower. Uniform
 * images (no variation) have similarity 0 to everything. Runs on the
 * current engine, in steps of `batch` query faces.
 */
export async function nearestFaces(query: Dataset, reference: Dataset, options: DuplicateOptions = {}): Promise<NearestFaces> {
  if (reference.count === 0) throw new FerkitError('BAD_DATA', 'no reference images to look for duplicates in');
  const batch = options.batch ?? 256;
  const nearest = new Int32Array(query.count),
    similarity = new Float32Array(query.count);
  if (query.count === 0) return { nearest, similarity };
  const ref = centredRows(reference),
    q = centredRows(query);
  try {
    for (let start = 0; start < query.count; start += batch) {
      const n = Math.min(batch, query.count - start);
      const [best, at] = tf.tidy(() => {
        const s = tf.matMul(q.slice([start, 0], [n, PIXELS_PER_IMAGE]), ref, false, true);
        return [s.max(1), s.argMax(1)];
      });
      similarity.set(await best.data(), start);
      nearest.set(await at.data(), start);
      tf.dispose([best, at]);
    }
  } finally {
    tf.dispose([ref, q]);
  }
  return { nearest, similarity };
}

/** Refuses a duplicate threshold that is not a cosine similarity in (0, 1]. */
export function checkDuplicateThreshold(threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) throw new FerkitError('BAD_ARGUMENT', `duplicate threshold must be a cosine similarity in (0, 1], got ${threshold}`);
}

/** Indices of the query faces whose nearest reference face reaches `threshold` (default DUPLICATE_THRESHOLD). */
export function duplicateIndices(faces: NearestFaces, threshold = DUPLICATE_THRESHOLD): Int32Array {
  checkDuplicateThreshold(threshold);
  const out: number[] = [];
  faces.similarity.forEach((s, i) => {
    if (s >= threshold) out.push(i);
  });
  return Int32Array.from(out);
}

export interface WithoutCopies {
  /** The faces of `data` that copy no training face. */
  dataset: Dataset;
  /** Faces left out. */
  copies: number;
  /** Of those, the faces whose training copy has the same label. */
  sameLabel: number;
}

/**
 * `data` without the faces that are copies (similarity >= `threshold`) of a
 * face of `training`: what `--dedupe` evaluates and validates on.
 */
export async function withoutCopies(data: Dataset, training: Dataset, threshold = DUPLICATE_THRESHOLD, options: DuplicateOptions = {}): Promise<WithoutCopies> {
  checkDuplicateThreshold(threshold);
  const faces = await nearestFaces(data, training, options);
  const copies = duplicateIndices(faces, threshold);
  const isCopy = new Uint8Array(data.count);
  let sameLabel = 0;
  for (const i of copies) {
    isCopy[i] = 1;
    if (training.labels[faces.nearest[i]] === data.labels[i]) sameLabel++;
  }
  const keep: number[] = [];
  for (let i = 0; i < data.count; i++) if (!isCopy[i]) keep.push(i);
  return { dataset: subset(data, keep), copies: copies.length, sameLabel };
}
