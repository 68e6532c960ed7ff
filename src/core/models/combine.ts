/**
 * Ensembles of classifiers on any runtime: their probabilities combined
 * with weights, as a mean of probabilities or of log-probabilities. Used
 * for ensembles whose members are not all ferkit networks (face-api.js's
 * expression net) or that weigh or combine them otherwise than an equal
 * mean. Platform-neutral; no TensorFlow.js.
 */
import { FerkitError } from '../errors.js';
import type { Classifier } from './classifier.js';
import type { EnsembleCombine } from './metadata.js';

/** The ways an ensemble combines its members. */
export const ENSEMBLE_COMBINES: readonly EnsembleCombine[] = ['probabilities', 'log'];

/** Floor under a probability before its logarithm is taken, so that a member's 0 does not veto a class outright. */
export const LOG_FLOOR = 1e-7;

/**
 * Member weights checked for `count` members: finite, positive, as many as
 * the members and summing to 1 (within 1e-6); equal weights when none are
 * given. Returned as given (not renormalised). Throws BAD_ARGUMENT. Pure.
 */
export function checkMemberWeights(weights: readonly number[] | undefined, count: number): number[] {
  if (weights === undefined) return Array.from({ length: count }, () => 1 / count);
  if (weights.length !== count) {
    throw new FerkitError('BAD_ARGUMENT', `${weights.length} ensemble weights for ${count} members; give one weight per member, in the members' order`, {
      options: ['weights'],
    });
  }
  const badOne = weights.find((w) => !(Number.isFinite(w) && w > 0));
  if (badOne !== undefined) {
    throw new FerkitError('BAD_ARGUMENT', `ensemble weight ${badOne} is not a positive number; every member needs a weight above 0 (leave a member out instead of weighing it 0)`, {
      options: ['weights'],
    });
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) {
    throw new FerkitError('BAD_ARGUMENT', `ensemble weights ${weights.join(', ')} sum to ${Number(sum.toPrecision(6))}, not 1; scale them so that they sum to 1`, {
      options: ['weights'],
    });
  }
  return [...weights];
}

/** The combination mode, checked. Throws BAD_ARGUMENT. Pure. */
export function checkCombine(combine: string | undefined): EnsembleCombine {
  if (combine === undefined) return 'probabilities';
  if (!(ENSEMBLE_COMBINES as readonly string[]).includes(combine)) {
    throw new FerkitError('BAD_ARGUMENT', `unknown ensemble combination "${combine}"; use ${ENSEMBLE_COMBINES.join(' or ')}`, { options: ['combine'] });
  }
  return combine as EnsembleCombine;
}

/**
 * Rows of k probabilities from several members combined into one, as a new
 * array: `probabilities` = sum of w * p; `log` = softmax of the sum of
 * w * log(max(p, LOG_FLOOR)), each row summing to 1. Pure.
 */
export function combineProbabilities(parts: readonly Float32Array[], weights: readonly number[], k: number, combine: EnsembleCombine): Float32Array {
  if (parts.length === 0 || parts.length !== weights.length) throw new FerkitError('BAD_ARGUMENT', `${parts.length} members' probabilities for ${weights.length} weights`);
  const size = parts[0].length;
  if (parts.some((p) => p.length !== size) || size % k !== 0) throw new FerkitError('BAD_MODEL', `ensemble members gave probabilities of different sizes (${parts.map((p) => p.length).join(', ')})`);
  const out = new Float32Array(size);
  if (combine === 'probabilities') {
    for (let m = 0; m < parts.length; m++) for (let i = 0; i < size; i++) out[i] += weights[m] * parts[m][i];
    return out;
  }
  const row = new Float64Array(k);
  for (let r = 0; r < size; r += k) {
    row.fill(0);
    for (let m = 0; m < parts.length; m++) for (let j = 0; j < k; j++) row[j] += weights[m] * Math.log(Math.max(parts[m][r + j], LOG_FLOOR));
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, row[j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += row[j] = Math.exp(row[j] - max);
    for (let j = 0; j < k; j++) out[r + j] = row[j] / sum;
  }
  return out;
}

/**
 * One classifier that runs each member on the same faces and combines their
 * probabilities. It owns the members. The runtime it reports is the first
 * member's.
 */
export function ensembleClassifier(members: readonly Classifier[], weights: readonly number[] | undefined, combine: EnsembleCombine = 'probabilities'): Classifier {
  if (members.length === 0) throw new FerkitError('BAD_ARGUMENT', 'an ensemble needs at least one member');
  const k = members[0].numClasses;
  if (members.some((m) => m.numClasses !== k)) {
    throw new FerkitError('BAD_MODEL', `ensemble members predict different numbers of classes (${members.map((m) => m.numClasses).join(', ')})`);
  }
  const w = checkMemberWeights(weights, members.length);
  return {
    runtime: members[0].runtime,
    numClasses: k,
    async run(batch, n) {
      const parts: Float32Array[] = [];
      for (const m of members) parts.push(await m.run(batch, n));
      return combineProbabilities(parts, w, k, combine);
    },
    dispose() {
      for (const m of members) m.dispose();
    },
  };
}
