/** Pure classification metrics. Rows of a confusion matrix are true labels, columns predictions. */
import { argmaxAt } from '../core/numeric.js';

export type Interval = [low: number, high: number];

export interface Intervals {
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Wilson score interval of the accuracy. */
  accuracy: Interval;
  /** Percentile bootstrap interval of the macro-F1 (the images resampled with replacement). */
  macroF1: Interval;
  /** Wilson score interval of each class's recall (its correct predictions among its support). */
  recall: Record<string, Interval>;
  /** Bootstrap resamples behind `macroF1`. */
  resamples: number;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Metrics {
  samples: number;
  accuracy: number;
  macroF1: number;
  labels: string[];
  perClass: Record<string, ClassMetrics>;
  confusion: number[][];
  /** Confidence intervals of accuracy, macro-F1 and each recall (`ferkit eval` and `ferkit report` add them). */
  intervals?: Intervals;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new RangeError(`${yTrue.length} labels but ${yPred.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Share of correct predictions (0 for no samples). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return yTrue.length ? ok / yTrue.length : 0;
}

/** Precision, recall, F1 and support of each class from a confusion matrix (0 where undefined). */
export function perClassMetrics(confusion: number[][]): ClassMetrics[] {
  const k = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** Unweighted mean of the per-class F1 over the classes that occur (in truth or prediction). */
export function macroF1(confusion: number[][]): number {
  const pcs = perClassMetrics(confusion);
  const present = pcs.filter((m, c) => m.support > 0 || confusion.some((row) => row[c] > 0));
  return present.length ? present.reduce((s, m) => s + m.f1, 0) / present.length : 0;
}

/** Mean categorical cross-entropy of n*k probabilities against hard labels. */
export function crossEntropy(probs: ArrayLike<number>, yTrue: ArrayLike<number>, k: number, eps = 1e-7): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s -= Math.log(Math.min(1 - eps, Math.max(eps, probs[i * k + yTrue[i]])));
  return yTrue.length ? s / yTrue.length : 0;
}

/** Everything `ferkit eval` reports, from true labels and predicted labels. */
export function computeMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels: readonly string[]): Metrics {
  const confusion = confusionMatrix(yTrue, yPred, labels.length);
  const pcs = perClassMetrics(confusion);
  return {
    samples: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    macroF1: macroF1(confusion),
    labels: [...labels],
    perClass: Object.fromEntries(labels.map((l, i) => [l, pcs[i]])),
    confusion,
  };
}

export interface Mistake {
  /** Index of the image. */
  index: number;
  /** True class. */
  label: number;
  /** Predicted class. */
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
}

/**
 * The `n` wrong predictions made with the highest confidence, most confident
 * first (ties by index): where the model is surely wrong, or the label is.
 */
export function confidentMistakes(probs: ArrayLike<number>, yTrue: ArrayLike<number>, k: number, n: number): Mistake[] {
  if (probs.length !== yTrue.length * k) throw new RangeError(`${yTrue.length} labels but ${probs.length / k} rows of probabilities`);
  const out: Mistake[] = [];
  for (let i = 0; i < yTrue.length; i++) {
    const predicted = argmaxAt(probs, i * k, k);
    if (predicted !== yTrue[i]) out.push({ index: i, label: yTrue[i], predicted, confidence: probs[i * k + predicted] });
  }
  return out.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, Math.max(0, n));
}
