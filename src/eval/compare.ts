/**
 * Paired comparison of two models on the same images: is one really more
 * accurate, or is the gap within what another sample of faces could undo?
 * Pure; the bootstrap is seeded.
 */
import { accuracy, confusionMatrix, macroF1 } from './metrics.js';
import { bootstrapIntervals, emptyConfusion, type IntervalOptions } from './intervals.js';
import { type Interval } from './metrics.js';

export interface PairedFigure {
  a: number;
  b: number;
  /** a - b */
  difference: number;
  /** Paired percentile bootstrap interval of the difference (both models scored on the same resampled images). */
  interval: Interval;
}

export interface Comparison {
  samples: number;
  level: number;
  resamples: number;
  accuracy: PairedFigure;
  macroF1: PairedFigure;
  /** Images model A classifies correctly and model B does not. */
  onlyA: number;
  /** Images model B classifies correctly and model A does not. */
  onlyB: number;
  /** Two-sided exact McNemar test of equal accuracy: the chance of a split of the discordant images at least this lopsided if both models were equally accurate. */
  pValue: number;
}

/**
 * Exact two-sided McNemar test: with `onlyA + onlyB` discordant images
 * split as a fair coin would, the probability of a split at least as uneven
 * as the one seen. 1 when there are none.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  if (!(Number.isInteger(onlyA) && Number.isInteger(onlyB) && onlyA >= 0 && onlyB >= 0))
    throw new RangeError(`McNemar counts must be non-negative integers, got ${onlyA} and ${onlyB}`);
  const n = onlyA + onlyB,
    k = Math.min(onlyA, onlyB);
  if (n === 0) return 1;
  // log of C(n, i) / 2^n for i = 0..k, summed in log space (no underflow for large n)
  let logTerm = -n * Math.LN2,
    logSum = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log(n - i) - Math.log(i + 1);
    logSum = Math.max(logSum, logTerm) + Math.log1p(Math.exp(-Math.abs(logSum - logTerm)));
  }
  return Math.min(1, 2 * Math.exp(logSum));
}

/** Compares the predictions of model A and model B on the same labelled images. */
export function compareModels(
  yTrue: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
  numClasses: number,
  options: IntervalOptions = {},
): Comparison {
  const n = yTrue.length;
  if (predA.length !== n || predB.length !== n) throw new RangeError(`${n} labels but ${predA.length} and ${predB.length} predictions`);
  if (n === 0) throw new RangeError('no images to compare the models on');
  const level = options.level ?? 0.95,
    resamples = options.resamples ?? 1000;
  let onlyA = 0,
    onlyB = 0;
  for (let i = 0; i < n; i++) {
    const a = predA[i] === yTrue[i],
      b = predB[i] === yTrue[i];
    if (a && !b) onlyA++;
    else if (b && !a) onlyB++;
  }
  const ma = emptyConfusion(numClasses),
    mb = emptyConfusion(numClasses);
  let correctA = 0,
    correctB = 0;
  const [accInterval, f1Interval] = bootstrapIntervals(
    n,
    {
      reset: () => {
        for (const row of ma) row.fill(0);
        for (const row of mb) row.fill(0);
        correctA = correctB = 0;
      },
      add: (j) => {
        ma[yTrue[j]][predA[j]]++;
        mb[yTrue[j]][predB[j]]++;
        if (predA[j] === yTrue[j]) correctA++;
        if (predB[j] === yTrue[j]) correctB++;
      },
      values: () => [(correctA - correctB) / n, macroF1(ma) - macroF1(mb)],
    },
    { ...options, level, resamples },
  );
  const accA = accuracy(yTrue, predA),
    accB = accuracy(yTrue, predB);
  const f1A = macroF1(confusionMatrix(yTrue, predA, numClasses)),
    f1B = macroF1(confusionMatrix(yTrue, predB, numClasses));
  return {
    samples: n,
    level,
    resamples,
    accuracy: { a: accA, b: accB, difference: accA - accB, interval: accInterval },
    macroF1: { a: f1A, b: f1B, difference: f1A - f1B, interval: f1Interval },
    onlyA,
    onlyB,
    pValue: mcnemarExact(onlyA, onlyB),
  };
}
