import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareModels, mcnemarExact } from './compare.js';
import { formatComparison } from './format.js';
import { createRng } from '../core/random.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tolerance ${tol})`);

test('exact McNemar test: worked values, symmetry, no discordant images, large counts without underflow', () => {
  // 10 against 2: 2 * (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 2 * 79 / 4096
  close(mcnemarExact(10, 2), (2 * 79) / 4096, 1e-12);
  close(mcnemarExact(2, 10), (2 * 79) / 4096, 1e-12);
  assert.equal(mcnemarExact(0, 0), 1);
  assert.equal(mcnemarExact(5, 5), 1); // a perfectly even split is capped at 1
  close(mcnemarExact(0, 3), 2 / 8, 1e-12);
  // 600 against 400 of 1000: about 6.3 standard deviations, p near 2.6e-10 by the normal approximation
  const p = mcnemarExact(600, 400);
  assert.ok(p > 1e-11 && p < 1e-9, `p ${p}`);
  close(mcnemarExact(2000, 2000), 1, 1e-9);
  assert.throws(() => mcnemarExact(-1, 3), RangeError);
  assert.throws(() => mcnemarExact(1.5, 3), RangeError);
});

/** Labels of k classes and two models' predictions: each right with its own probability, independently. */
function twoModels(n: number, k: number, pA: number, pB: number, seed: number) {
  const rng = createRng(seed);
  const yTrue = new Int32Array(n),
    a = new Int32Array(n),
    b = new Int32Array(n);
  const wrong = (y: number) => (y + 1 + Math.floor(rng() * (k - 1))) % k;
  for (let i = 0; i < n; i++) {
    yTrue[i] = Math.floor(rng() * k);
    a[i] = rng() < pA ? yTrue[i] : wrong(yTrue[i]);
    b[i] = rng() < pB ? yTrue[i] : wrong(yTrue[i]);
  }
  return { yTrue, a, b };
}

test('compareModels: counts, differences, paired intervals and the test agree with the predictions', () => {
  const { yTrue, a, b } = twoModels(2000, 5, 0.75, 0.65, 1);
  const c = compareModels(yTrue, a, b, 5, { seed: 2 });
  let onlyA = 0,
    onlyB = 0,
    rightA = 0,
    rightB = 0;
  for (let i = 0; i < yTrue.length; i++) {
    rightA += a[i] === yTrue[i] ? 1 : 0;
    rightB += b[i] === yTrue[i] ? 1 : 0;
    if (a[i] === yTrue[i] && b[i] !== yTrue[i]) onlyA++;
    if (b[i] === yTrue[i] && a[i] !== yTrue[i]) onlyB++;
  }
  assert.equal(c.samples, 2000);
  assert.equal(c.onlyA, onlyA);
  assert.equal(c.onlyB, onlyB);
  close(c.accuracy.a, rightA / 2000, 1e-12);
  close(c.accuracy.b, rightB / 2000, 1e-12);
  close(c.accuracy.difference, (onlyA - onlyB) / 2000, 1e-12);
  assert.ok(c.accuracy.interval[0] > 0, `a 10-point gap on 2000 images is clear: ${c.accuracy.interval}`);
  assert.ok(c.accuracy.interval[0] < c.accuracy.difference && c.accuracy.difference < c.accuracy.interval[1]);
  assert.ok(c.macroF1.interval[0] < c.macroF1.difference && c.macroF1.difference < c.macroF1.interval[1]);
  assert.ok(c.pValue < 1e-6);
  assert.match(formatComparison('m1', 'm2', c), /A is more accurate on faces like these/);
  // the same model twice: no difference, a degenerate interval, p = 1
  const same = compareModels(yTrue, a, a, 5, { resamples: 100 });
  assert.equal(same.accuracy.difference, 0);
  assert.deepEqual(same.accuracy.interval, [0, 0]);
  assert.equal(same.pValue, 1);
  assert.match(formatComparison('m1', 'm1', same), /no significant difference/);
  assert.throws(() => compareModels(yTrue, a, b.subarray(1), 5), RangeError);
});

test('compareModels: a small gap on few images is not called significant, and the paired interval is narrower than unpaired ones', () => {
  // B = A with 3 of its right answers made wrong, on 300 images
  const { yTrue, a } = twoModels(300, 7, 0.7, 0, 3);
  const b = Int32Array.from(a);
  let changed = 0;
  for (let i = 0; i < b.length && changed < 3; i++)
    if (b[i] === yTrue[i]) {
      b[i] = (b[i] + 1) % 7;
      changed++;
    }
  const c = compareModels(yTrue, a, b, 7, { seed: 1 });
  assert.equal(c.onlyA, 3);
  assert.equal(c.onlyB, 0);
  close(c.pValue, 0.25, 1e-12);
  assert.ok(c.accuracy.interval[0] >= 0 && c.accuracy.interval[1] < 0.03, `paired: ${c.accuracy.interval}`);
  assert.match(formatComparison('m1', 'm2', c), /no significant difference/);
});
