/**
 * Fitting a calibration on held-out data: temperature scaling, class bias,
 * and the expected calibration error that judges them. Applying one is
 * src/core/models/calibration.ts. Pure functions.
 */

import { argmaxRows } from '../core/numeric.js';
import { confusionMatrix, crossEntropy, macroF1 } from './metrics.js';
import { applyCalibration, applyTemperature, TEMPERATURE_RANGE } from '../core/models/calibration.js';
import type { Calibration } from '../core/models/metadata.js';
import { NUM_CLASSES } from '../core/labels.js';

/** Confidence bins of the expected calibration error and of the reliability diagram that shows it. */
export const ECE_BINS = 15;

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
  const range = options.range ?? 1,
    step = options.step ?? 0.05,
    sweeps = options.sweeps ?? 4;
  const logp = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-12)));
  const n = labels.length;
  const bias = new Array<number>(k).fill(0);
  const pred = new Int32Array(n);
  const score = (): number => {
    for (let i = 0; i < n; i++) {
      let best = 0,
        bestV = -Infinity;
      for (let j = 0; j < k; j++) {
        const v = logp[i * k + j] + bias[j];
        if (v > bestV) {
          bestV = v;
          best = j;
        }
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
      let bestV = keep,
        bestScore = current;
      for (const v of grid) {
        bias[j] = v;
        const s = score();
        if (s > bestScore + 1e-12 || (s === bestScore && Math.abs(v) < Math.abs(bestV))) {
          bestScore = s;
          bestV = v;
        }
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

/**
 * The temperature that minimises the NLL on held-out data (golden-section
 * search over TEMPERATURE_RANGE, [0.05, 20], on log T). Fit on validation
 * data, never on test data.
 */
export function fitTemperature(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const f = (logT: number) => crossEntropy(applyTemperature(probs, k, Math.exp(logT)), labels, k);
  let a = Math.log(TEMPERATURE_RANGE[0]),
    b = Math.log(TEMPERATURE_RANGE[1]);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a),
    d = a + g * (b - a);
  let fc = f(c),
    fd = f(d);
  for (let it = 0; it < 60; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Expected calibration error: the confidence of the top class against its
 * accuracy, averaged over `bins` equal-width confidence bins weighted by
 * their share of samples (0 = perfectly calibrated).
 */
export function expectedCalibrationError(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, bins = ECE_BINS): number {
  const conf = new Array<number>(bins).fill(0),
    acc = new Array<number>(bins).fill(0),
    n = new Array<number>(bins).fill(0);
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
    nllBefore: crossEntropy(probs, labels, k),
    nllAfter: crossEntropy(after, labels, k),
    fittedOn,
    samples: labels.length,
    ...bias,
  };
}
