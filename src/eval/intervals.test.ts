import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapInterval, metricIntervals, normalQuantile, quantileSorted, wilsonInterval } from './intervals.js';
import { accuracy, computeMetrics, macroF1 } from './metrics.js';
import { formatMetrics } from './format.js';
import { createRng } from '../core/random.js';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} != ${b} (tolerance ${tol})`);

test('normal quantile: known values, symmetry, and refusal outside (0, 1)', () => {
  close(normalQuantile(0.5), 0, 1e-12);
  close(normalQuantile(0.975), 1.959963984540054, 1e-8);
  close(normalQuantile(0.995), 2.5758293035489, 1e-8);
  close(normalQuantile(0.01), -2.3263478740408408, 1e-8); // lower tail branch
  close(normalQuantile(1e-6), -4.753424308822899, 1e-6);
  close(normalQuantile(0.3) + normalQuantile(0.7), 0, 1e-12);
  assert.throws(() => normalQuantile(0), RangeError);
  assert.throws(() => normalQuantile(1), RangeError);
});

test('Wilson interval: textbook values, edges, and bad input', () => {
  // worked independently: centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
  const [a, b] = wilsonInterval(5, 10);
  close(a, 0.236593090512564, 1e-8);
  close(b, 0.7634069094874361, 1e-8);
  const [c, d] = wilsonInterval(0, 10);
  assert.equal(c, 0);
  close(d, 0.2775327998628892, 1e-8);
  const [e, f] = wilsonInterval(10, 10);
  close(e, 0.7224672001371107, 1e-8);
  close(f, 1, 1e-12);
  const [g, h] = wilsonInterval(2490, 3589);
  close(g, 0.678506531335052, 1e-8);
  close(h, 0.7086522163978852, 1e-8);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  // a higher level gives a wider interval
  const w99 = wilsonInterval(5, 10, 0.99);
  assert.ok(w99[0] < a && w99[1] > b);
  assert.throws(() => wilsonInterval(11, 10), RangeError);
  assert.throws(() => wilsonInterval(5, 10, 95), /between 0 and 1/);
});

test('Wilson interval holds its level: about 95% of simulated accuracies fall inside', () => {
  const rng = createRng(7);
  const p = 0.7,
    n = 150,
    trials = 2000;
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng() < p ? 1 : 0;
    const [lo, hi] = wilsonInterval(s, n);
    if (lo <= p && p <= hi) covered++;
  }
  const coverage = covered / trials;
  assert.ok(coverage > 0.93 && coverage < 0.97, `coverage ${coverage}`);
});

test('quantile of sorted values interpolates between ranks', () => {
  assert.equal(quantileSorted([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
  assert.equal(quantileSorted([4], 0.9), 4);
  assert.throws(() => quantileSorted([], 0.5), RangeError);
});

/** n labelled predictions of k classes, right with probability `p`, seeded. */
function simulated(n: number, k: number, p: number, seed: number): { yTrue: Int32Array; yPred: Int32Array } {
  const rng = createRng(seed);
  const yTrue = new Int32Array(n),
    yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = Math.floor(rng() * k);
    yPred[i] = rng() < p ? yTrue[i] : (yTrue[i] + 1 + Math.floor(rng() * (k - 1))) % k;
  }
  return { yTrue, yPred };
}

test('bootstrap interval: seeded, brackets the statistic, narrows with more images, degenerate when every prediction is right', () => {
  const { yTrue, yPred } = simulated(600, 4, 0.7, 1);
  const f1 = macroF1Of(yTrue, yPred, 4);
  const a = bootstrapInterval(yTrue, yPred, 4, macroF1, { seed: 3 });
  assert.deepEqual(bootstrapInterval(yTrue, yPred, 4, macroF1, { seed: 3 }), a);
  assert.notDeepEqual(bootstrapInterval(yTrue, yPred, 4, macroF1, { seed: 4 }), a);
  assert.ok(a[0] < f1 && f1 < a[1], `${a} around ${f1}`);
  // four times the images (the same ones, repeated): about half the width
  const rep = (x: Int32Array) => Int32Array.from({ length: x.length * 4 }, (_, i) => x[i % x.length]);
  const b = bootstrapInterval(rep(yTrue), rep(yPred), 4, macroF1, { seed: 3 });
  const ratio = (b[1] - b[0]) / (a[1] - a[0]);
  assert.ok(ratio > 0.4 && ratio < 0.6, `width ratio ${ratio}`);
  assert.deepEqual(bootstrapInterval(yTrue, yTrue, 4, macroF1, { resamples: 50 }), [1, 1]);
  assert.throws(() => bootstrapInterval(yTrue, yPred, 4, macroF1, { resamples: 0 }), /positive integer/);
  assert.throws(() => bootstrapInterval(yTrue, yPred.subarray(1), 4, macroF1), RangeError);
});

function macroF1Of(yTrue: Int32Array, yPred: Int32Array, k: number): number {
  return computeMetrics(
    yTrue,
    yPred,
    Array.from({ length: k }, (_, i) => `c${i}`),
  ).macroF1;
}

test('metric intervals: accuracy and recalls are Wilson intervals of the confusion matrix, macro-F1 a bootstrap; formatMetrics prints them', () => {
  const labels = ['a', 'b', 'c'];
  const { yTrue, yPred } = simulated(400, 3, 0.6, 5);
  const m = computeMetrics(yTrue, yPred, labels);
  const ci = metricIntervals(yTrue, yPred, labels, { seed: 1 });
  assert.equal(ci.level, 0.95);
  assert.equal(ci.resamples, 1000);
  const correct = Math.round(accuracy(yTrue, yPred) * yTrue.length);
  assert.deepEqual(ci.accuracy, wilsonInterval(correct, yTrue.length));
  labels.forEach((l, i) => assert.deepEqual(ci.recall[l], wilsonInterval(m.confusion[i][i], m.perClass[l].support)));
  assert.deepEqual(ci.macroF1, bootstrapInterval(yTrue, yPred, 3, macroF1, { seed: 1 }));
  assert.ok(ci.macroF1[0] < m.macroF1 && m.macroF1 < ci.macroF1[1]);

  const text = formatMetrics({ ...m, intervals: ci });
  assert.match(
    text,
    new RegExp(`accuracy  ${(m.accuracy * 100).toFixed(2)}%  \\(95% CI ${(ci.accuracy[0] * 100).toFixed(2)}-${(ci.accuracy[1] * 100).toFixed(2)}%\\)`),
  );
  assert.match(text, /recall 95% CI/);
  assert.match(text, new RegExp(`${ci.recall.b[0].toFixed(3)}-${ci.recall.b[1].toFixed(3)}`));
  assert.doesNotMatch(formatMetrics(m), /CI/);
});
