/**
 * Confidence intervals of evaluation figures, so that a reported accuracy
 * says how far it could be from the model's accuracy on more faces of the
 * same kind. Pure; the bootstrap is seeded.
 */
import { FerkitError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { confusionMatrix, macroF1, type Interval, type Intervals } from './metrics.js';

export interface IntervalOptions {
  /** Confidence level in (0, 1). Default 0.95. */
  level?: number;
  /** Bootstrap resamples. Default 1000. */
  resamples?: number;
  /** Seed of the bootstrap. Default 0. */
  seed?: number;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new FerkitError('BAD_ARGUMENT', `confidence level must be between 0 and 1 (e.g. 0.95), got ${level}`);
}

/** Refuses a level outside (0, 1) or a resample count below 1 (a BAD_ARGUMENT naming it); callers check before costly work. */
export function checkIntervalOptions(options: IntervalOptions): void {
  if (options.level !== undefined) checkLevel(options.level);
  const r = options.resamples;
  if (r !== undefined && !(Number.isInteger(r) && r >= 1)) throw new FerkitError('BAD_ARGUMENT', `bootstrap resamples must be a positive integer, got ${r}`);
}

/**
 * The standard normal quantile (inverse CDF) at p in (0, 1): Acklam's
 * rational approximation, relative error below 1.2e-9.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5,
    r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Wilson score interval of a proportion (`successes` of `n`): unlike the
 * normal approximation it stays inside [0, 1] and holds its level for small
 * n and proportions near 0 or 1. [0, 1] when n is 0.
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  checkLevel(level);
  if (!(n >= 0 && successes >= 0 && successes <= n)) throw new RangeError(`wilson interval needs 0 <= successes <= n, got ${successes} of ${n}`);
  if (n === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - level) / 2),
    z2 = z * z;
  const p = successes / n;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The q-quantile of sorted values, interpolating linearly between ranks. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * q,
    lo = Math.floor(h),
    hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** What a bootstrap resamples: it is reset, fed the drawn items' indices, then asked for its statistics. */
export interface Resampler {
  reset(): void;
  add(index: number): void;
  values(): number[];
}

/**
 * Percentile bootstrap over `n` items: `resamples` times, draw n indices
 * with replacement into the resampler, and take the middle `level` of each
 * statistic's values. One interval per statistic; seeded.
 */
export function bootstrapIntervals(n: number, resampler: Resampler, options: IntervalOptions = {}): Interval[] {
  checkIntervalOptions(options);
  const level = options.level ?? 0.95,
    resamples = options.resamples ?? 1000;
  const rng = createRng(options.seed ?? 0);
  const draws: number[][] = [];
  for (let r = 0; r < resamples; r++) {
    resampler.reset();
    for (let i = 0; i < n; i++) resampler.add(Math.floor(rng() * n));
    resampler.values().forEach((v, s) => (draws[s] ??= []).push(v));
  }
  return draws.map((values) => {
    values.sort((a, b) => a - b);
    return [quantileSorted(values, (1 - level) / 2), quantileSorted(values, 1 - (1 - level) / 2)];
  });
}

/** A k x k confusion matrix filled in place, for resamplers. */
export function emptyConfusion(k: number): number[][] {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0));
}

/**
 * Percentile bootstrap interval of a statistic of the confusion matrix:
 * resample the (label, prediction) pairs with replacement.
 */
export function bootstrapInterval(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
  statistic: (confusion: number[][]) => number,
  options: IntervalOptions = {},
): Interval {
  const n = yTrue.length;
  if (yPred.length !== n) throw new RangeError(`${n} labels but ${yPred.length} predictions`);
  if (n === 0) return [Number.NaN, Number.NaN];
  const m = emptyConfusion(numClasses);
  return bootstrapIntervals(
    n,
    {
      reset: () => {
        for (const row of m) row.fill(0);
      },
      add: (j) => {
        m[yTrue[j]][yPred[j]]++;
      },
      values: () => [statistic(m)],
    },
    options,
  )[0];
}

/** The intervals `ferkit eval` and `ferkit report` print beside accuracy, macro-F1 and each class's recall. */
export function metricIntervals(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels: readonly string[], options: IntervalOptions = {}): Intervals {
  const level = options.level ?? 0.95,
    resamples = options.resamples ?? 1000;
  const confusion = confusionMatrix(yTrue, yPred, labels.length);
  const correct = confusion.reduce((s, row, i) => s + row[i], 0);
  const recall: Record<string, Interval> = {};
  labels.forEach((l, i) => {
    recall[l] = wilsonInterval(
      confusion[i][i],
      confusion[i].reduce((a, b) => a + b, 0),
      level,
    );
  });
  return {
    level,
    accuracy: wilsonInterval(correct, yTrue.length, level),
    macroF1: bootstrapInterval(yTrue, yPred, labels.length, macroF1, { ...options, level, resamples }),
    recall,
    resamples,
  };
}
