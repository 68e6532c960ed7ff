/** Applying a model's fitted calibration to its probabilities. Pure. */

/**
 * The temperatures a calibration may have: [0.05, 20], the range
 * `fitTemperature` searches. Outside it a model is refused when it loads:
 * a temperature of 5e-324 turns every probability into NaN, one of 1e6
 * flattens them all to 1/7.
 */
export const TEMPERATURE_RANGE = [0.05, 20] as const;

/**
 * The largest class bias a calibration may have, in log-space: 10 (a factor
 * of 22,000 on a class's odds). `fitClassBias` fits offsets within 1.
 */
export const MAX_CLASS_BIAS = 10;

/** What prediction applies of a model's calibration. */
export interface CalibrationParameters {
  temperature: number;
  classBias?: readonly number[];
}

/**
 * Rescales softmax probabilities by a temperature: softmax(log(p) / T).
 * T > 1 softens over-confident outputs; T = 1 leaves them as they are.
 */
export function applyTemperature(probs: ArrayLike<number>, k: number, temperature: number, out: Float32Array = new Float32Array(probs.length)): Float32Array {
  return applyCalibration(probs, k, { temperature }, out);
}

/**
 * softmax(log(p) / T + b): a temperature, then a log-space offset per class
 * (a class bias, as fitted by `fitClassBias`). `out` may be `probs`.
 */
export function applyCalibration(probs: ArrayLike<number>, k: number, c: { temperature: number; classBias?: readonly number[] }, out: Float32Array = new Float32Array(probs.length)): Float32Array {
  const t = c.temperature;
  const b = c.classBias;
  const logits = new Float64Array(k);
  for (let i = 0; i < probs.length; i += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      logits[j] = Math.log(Math.max(probs[i + j], 1e-12)) / t + (b ? b[j] : 0);
      max = Math.max(max, logits[j]);
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[j] - max);
      out[i + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[i + j] /= sum;
  }
  return out;
}
