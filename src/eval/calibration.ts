/** Probability calibration: temperature scaling, class bias and expected calibration error. Pure functions. */

import { NUM_CLASSES } from '../labels.js';
import type { Calibration } from '../models/io.js';
import { argmaxRows, confusionMatrix, macroF1 } from './metrics.js';

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

export interface ClassBiasOptions {
  /** Largest offset in either direction (log-space). Default 1. */
  range?: number;
  /** Grid step of the search. Default 0.05. */
  step?: number;
  /** Passes over the classes. Default 4. */
  sweeps?: number;
}

/**
 * Log-space offsets per class that maximise macro-F1 of the arg-max
 * decisions on held-out data: coordinate ascent on a grid, starting from 0
 * and moving a class's offset only for a strict gain (or, at equal score,
 * toward 0). It trades accuracy on
 * frequent classes for recall on rare or under-predicted ones (threshold
 * moving). Fit on validation data, never on the data you report test
 * figures on. The offsets are centred to mean 0.
 */
export function fitClassBias(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, options: ClassBiasOptions = {}): number[] {
  const range = options.range ?? 1, step = options.step ?? 0.05, sweeps = options.sweeps ?? 4;
  const logp = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-12)));
  const n = labels.length;
  const bias = new Array<number>(k).fill(0);
  const pred = new Int32Array(n);
  const score = (): number => {
    for (let i = 0; i < n; i++) {
      let best = 0, bestV = -Infinity;
      for (let j = 0; j < k; j++) {
        const v = logp[i * k + j] + bias[j];
        if (v > bestV) { bestV = v; best = j; }
      }
      pred[i] = best;
    }
    return macroF1(confusionMatrix(labels, pred, k));
  };
  let current = score();
  const grid: number[] = [];
  for (let v = -range; v <= range + 1e-9; v += step) grid.push(Math.round(v / step) * step);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = false;
    for (let j = 0; j < k; j++) {
      const keep = bias[j];
      let bestV = keep, bestScore = current;
      for (const v of grid) {
        bias[j] = v;
        const s = score();
        if (s > bestScore + 1e-12 || (s === bestScore && Math.abs(v) < Math.abs(bestV))) { bestScore = s; bestV = v; }
      }
      bias[j] = bestV;
      if (bestV !== keep) moved = true;
      current = bestScore;
    }
    if (!moved) break;
  }
  const mean = bias.reduce((a, b) => a + b, 0) / k;
  return bias.map((b) => b - mean);
}

/** Macro-F1 of the arg-max decisions of `probs`. */
export function decisionMacroF1(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  return macroF1(confusionMatrix(labels, argmaxRows(probs, k), k));
}

/** Mean negative log-likelihood of the true labels. */
export function nll(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(probs[i * k + labels[i]], 1e-12));
  return labels.length ? s / labels.length : 0;
}

/**
 * The temperature that minimises the NLL on held-out data (golden-section
 * search over [0.05, 20] on log T). Fit on validation data, never on test data.
 */
export function fitTemperature(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const f = (logT: number) => nll(applyTemperature(probs, k, Math.exp(logT)), labels, k);
  let a = Math.log(0.05), b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  for (let it = 0; it < 60; it++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Expected calibration error: the confidence of the top class against its
 * accuracy, averaged over `bins` equal-width confidence bins weighted by
 * their share of samples (0 = perfectly calibrated).
 */
export function expectedCalibrationError(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, bins = 15): number {
  const conf = new Array<number>(bins).fill(0), acc = new Array<number>(bins).fill(0), n = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    const p = probs[i * k + best];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    conf[b] += p;
    acc[b] += best === labels[i] ? 1 : 0;
    n[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (n[b]) ece += (n[b] / labels.length) * Math.abs(acc[b] / n[b] - conf[b] / n[b]);
  return ece;
}

/**
 * Fits a temperature on held-out probabilities (and, with `classBias`, the
 * per-class offsets that maximise macro-F1 after it) and reports what they
 * changed.
 */
export function calibrationOn(probs: Float32Array, labels: Int32Array, fittedOn: string, options: { classBias?: boolean } = {}): Calibration {
  const k = NUM_CLASSES;
  const temperature = fitTemperature(probs, labels, k);
  let after = applyTemperature(probs, k, temperature);
  let bias: Partial<Calibration> = {};
  if (options.classBias) {
    const classBias = fitClassBias(after, labels, k);
    const macroF1Before = decisionMacroF1(after, labels, k);
    after = applyCalibration(probs, k, { temperature, classBias });
    bias = { classBias, macroF1Before, macroF1After: decisionMacroF1(after, labels, k) };
  }
  return {
    temperature,
    eceBefore: expectedCalibrationError(probs, labels, k),
    eceAfter: expectedCalibrationError(after, labels, k),
    nllBefore: nll(probs, labels, k),
    nllAfter: nll(after, labels, k),
    fittedOn,
    samples: labels.length,
    ...bias,
  };
}
