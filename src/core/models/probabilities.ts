/**
 * The parts of prediction that need no network runtime: the model's input
 * from grey crops, and its probabilities calibrated as ferkit reports them.
 * Pure; no TensorFlow.js.
 */
import { PIXELS_PER_IMAGE } from '../image/preprocess.js';
import { applyCalibration, type CalibrationParameters } from './calibration.js';
import type { TestTimeAugmentation } from './tta.js';
import type { Equalization } from '../image/equalize.js';

/** What ferkit needs of a model's metadata to report its probabilities: its input's equalisation and its calibration. */
export interface ReportingMeta {
  preprocessing?: { equalize?: Equalization };
  calibration?: CalibrationParameters;
}

/** The listed images of a pixel array (n * 48 * 48 grey bytes), normalised to [0,1] floats. Pure. */
export function normalisedImages(pixels: Uint8Array, indices: ArrayLike<number>): Float32Array {
  const n = indices.length;
  const x = new Float32Array(n * PIXELS_PER_IMAGE);
  for (let k = 0; k < n; k++) {
    const off = indices[k] * PIXELS_PER_IMAGE;
    const o = k * PIXELS_PER_IMAGE;
    for (let j = 0; j < PIXELS_PER_IMAGE; j++) x[o + j] = pixels[off + j] / 255;
  }
  return x;
}

/** Indices start..end-1. */
export function range(start: number, end: number): Int32Array {
  const r = new Int32Array(Math.max(0, end - start));
  for (let i = 0; i < r.length; i++) r[i] = start + i;
  return r;
}

export interface PredictOptions {
  /** Test-time augmentation: average with the mirrored face (`true`, `'flip'`) or over ten crops (`'ten-crop'`). Default false. */
  tta?: TestTimeAugmentation;
  /** Temperature to apply (default: the model's fitted one, else none). */
  temperature?: number;
  /** Apply the model's fitted class bias, if it has one. Default true. */
  classBias?: boolean;
  batchSize?: number;
}

/**
 * The network's probabilities (rows of k) calibrated in place as ferkit
 * reports them: the temperature asked for, else the model's fitted one, and
 * its class bias unless `classBias` is false.
 */
export function calibrated(probs: Float32Array, k: number, meta: { calibration?: CalibrationParameters }, options: Pick<PredictOptions, 'temperature' | 'classBias'> = {}): Float32Array {
  const temperature = options.temperature ?? meta.calibration?.temperature ?? 1;
  const classBias = options.classBias === false ? undefined : meta.calibration?.classBias;
  return temperature !== 1 || classBias ? applyCalibration(probs, k, { temperature, ...(classBias ? { classBias } : {}) }, probs) : probs;
}
