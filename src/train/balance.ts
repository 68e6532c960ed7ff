import { FerkitError } from '../core/errors.js';
import { createRng, mixSeed, permutation } from '../core/random.js';

export type ClassWeighting = 'none' | 'inverse' | 'effective';

/**
 * Per-class loss weights from class counts: `inverse` frequency, or the
 * `effective` number of samples (Cui et al. 2019: (1 - beta) / (1 - beta^n)).
 * Scaled so that the average weight over the samples is 1. Pure.
 */
export function classWeights(counts: readonly number[], mode: ClassWeighting, beta = 0.999): number[] {
  if (mode === 'none') return counts.map(() => 1);
  const raw = counts.map((n) => {
    if (n <= 0) return 0;
    return mode === 'inverse' ? 1 / n : (1 - beta) / (1 - Math.pow(beta, n));
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = counts.reduce((s, n, i) => s + n * raw[i], 0) / total;
  if (!(mean > 0)) throw new FerkitError('BAD_DATA', 'class weights need at least one sample');
  return raw.map((w) => w / mean);
}

/**
 * The order of one epoch's samples: a seeded shuffle, or with `balanced` a
 * seeded class-balanced draw (each class equally likely, samples of a class
 * drawn with replacement), the same length as the data. Pure given the seed.
 */
export function epochOrder(labels: ArrayLike<number>, epoch: number, seed: number, balanced: boolean): Int32Array {
  const rng = createRng(mixSeed(seed, epoch));
  if (!balanced) return permutation(labels.length, rng);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    let l = byClass.get(labels[i]);
    if (!l) byClass.set(labels[i], (l = []));
    l.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const out = new Int32Array(labels.length);
  for (let k = 0; k < out.length; k++) {
    const members = byClass.get(classes[Math.floor(rng() * classes.length)])!;
    out[k] = members[Math.floor(rng() * members.length)];
  }
  return out;
}
