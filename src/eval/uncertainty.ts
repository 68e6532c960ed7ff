/**
 * Where to flag a face as uncertain: the confidence below which an answer
 * is more likely wrong than right. Pure.
 */

export interface UncertaintyThreshold {
  /** Flag faces whose top probability is below this (0: flag none). */
  threshold: number;
  /** Share of the faces it flags. */
  flagged: number;
  /** Accuracy of the flagged faces (below 0.5), NaN when none is flagged. */
  flaggedAccuracy: number;
  /** Accuracy of the others. */
  keptAccuracy: number;
}

/**
 * The threshold, on a grid of `step` (default 0.01), below which answers
 * are more often wrong than right: it maximises the number of wrong minus
 * right answers among the faces it flags, so every band of confidence it
 * flags holds more wrong answers than right ones, and widening it would
 * flag more right answers than wrong. Ties go to the lower threshold.
 * `confidence[i]` is face i's top probability, `correct[i]` whether that
 * answer was right. Choose it on validation data, never on the data you
 * report test figures on.
 */
export function uncertaintyThreshold(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean | number>,
  options: { step?: number } = {},
): UncertaintyThreshold {
  const step = options.step ?? 0.01;
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a] - confidence[b]);
  const totalRight = order.reduce((s, i) => s + (correct[i] ? 1 : 0), 0);
  let best = { threshold: 0, below: 0, right: 0, gain: 0 };
  let k = 0,
    right = 0;
  for (let g = 1; g * step <= 1 + 1e-9; g++) {
    const t = Number((g * step).toFixed(6));
    while (k < n && confidence[order[k]] < t) right += correct[order[k++]] ? 1 : 0;
    const gain = k - 2 * right; // wrong - right among the flagged
    if (gain > best.gain) best = { threshold: t, below: k, right, gain };
  }
  return {
    threshold: best.threshold,
    flagged: n ? best.below / n : 0,
    flaggedAccuracy: best.below ? best.right / best.below : NaN,
    keptAccuracy: n - best.below ? (totalRight - best.right) / (n - best.below) : NaN,
  };
}
