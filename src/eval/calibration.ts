/** Probability calibration: temperature scaling and expected calibration error. Pure functions. */

/**
 * Rescales softmax probabilities by a temperature: softmax(log(p) / T).
 * T > 1 softens over-confident outputs; T = 1 leaves them as they are.
 */
export function applyTemperature(probs: ArrayLike<number>, k: number, temperature: number, out: Float32Array = new Float32Array(probs.length)): Float32Array {
  for (let i = 0; i < probs.length; i += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, Math.log(Math.max(probs[i + j], 1e-12)) / temperature);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(Math.log(Math.max(probs[i + j], 1e-12)) / temperature - max);
      out[i + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[i + j] /= sum;
  }
  return out;
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
