import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCombine, checkMemberWeights, combineProbabilities, ensembleClassifier, LOG_FLOOR } from './combine.js';
import type { Classifier } from './classifier.js';
import { FerkitError } from '../errors.js';

const isArgError = (pattern: RegExp) => (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && pattern.test(e.message);

test('member weights: equal when absent; one positive weight per member summing to 1, else BAD_ARGUMENT naming the problem', () => {
  assert.deepEqual(checkMemberWeights(undefined, 4), [0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual(checkMemberWeights([0.75, 0.25], 2), [0.75, 0.25]);
  assert.deepEqual(checkMemberWeights([0.1, 0.2, 0.7], 3), [0.1, 0.2, 0.7]);
  assert.throws(() => checkMemberWeights([0.5, 0.5], 3), isArgError(/2 ensemble weights for 3 members/));
  assert.throws(() => checkMemberWeights([0.6, 0.6], 2), isArgError(/sum to 1\.2, not 1/));
  assert.throws(() => checkMemberWeights([1, 0], 2), isArgError(/weight 0 is not a positive number/));
  assert.throws(() => checkMemberWeights([NaN, 1], 2), isArgError(/NaN is not a positive number/));
  assert.equal(checkCombine(undefined), 'probabilities');
  assert.equal(checkCombine('log'), 'log');
  assert.throws(() => checkCombine('median'), isArgError(/unknown ensemble combination "median"; use probabilities or log/));
});

test('combining probabilities: weighted mean; log: normalised weighted geometric mean (hand-computed)', () => {
  const a = Float32Array.from([0.8, 0.2, 0.5, 0.5]);
  const b = Float32Array.from([0.2, 0.8, 0.1, 0.9]);
  const mean = combineProbabilities([a, b], [0.75, 0.25], 2, 'probabilities');
  assert.deepEqual(
    [...mean].map((x) => +x.toFixed(6)),
    [0.65, 0.35, 0.4, 0.6],
  );
  const log = combineProbabilities([a, b], [0.5, 0.5], 2, 'log');
  // sqrt(0.8*0.2) = sqrt(0.2*0.8): even; sqrt(0.05) vs sqrt(0.45): 1 : 3
  assert.deepEqual(
    [...log].map((x) => +x.toFixed(6)),
    [0.5, 0.5, 0.25, 0.75],
  );
  // a member's zero is floored, not a veto to -Infinity
  const zero = combineProbabilities([Float32Array.from([0, 1]), Float32Array.from([1, 0])], [0.5, 0.5], 2, 'log');
  assert.ok(zero.every((x) => Number.isFinite(x)) && Math.abs(zero[0] - 0.5) < 1e-6);
  assert.ok(LOG_FLOOR > 0);
  assert.throws(() => combineProbabilities([a, b.subarray(0, 2)], [0.5, 0.5], 2, 'probabilities'), /different sizes/);
});

test('ensembleClassifier runs every member on the same batch, combines them and disposes them all', async () => {
  const seen: number[] = [];
  let disposed = 0;
  const member = (p: number[]): Classifier => ({
    runtime: 'onnxruntime',
    numClasses: 2,
    run: (batch, n) => {
      seen.push(n, batch[0]);
      return Promise.resolve(Float32Array.from(Array.from({ length: n }, () => p).flat()));
    },
    dispose: () => disposed++,
  });
  const c = ensembleClassifier([member([1, 0]), member([0, 1])], [0.25, 0.75]);
  assert.deepEqual([...(await c.run(Float32Array.from([0.5]), 1))], [0.25, 0.75]);
  assert.deepEqual(seen, [1, 0.5, 1, 0.5]);
  c.dispose();
  assert.equal(disposed, 2);
  assert.throws(() => ensembleClassifier([member([1, 0]), { ...member([1, 0]), numClasses: 3 }], undefined), /different numbers of classes/);
});
