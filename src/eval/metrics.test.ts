import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, computeMetrics, confidentMistakes, confusionMatrix, crossEntropy, macroF1, perClassMetrics } from './metrics.js';
import { argmaxRows } from '../core/numeric.js';

// 3 classes, 10 samples, worked by hand:
// true: 0 0 0 0 1 1 1 2 2 2
// pred: 0 0 1 2 1 1 0 2 2 1
const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

test('confusion matrix: rows are true labels', () => {
  assert.deepEqual(confusionMatrix(yTrue, yPred, 3), [
    [2, 1, 1],
    [1, 2, 0],
    [0, 1, 2],
  ]);
});

test('accuracy, precision, recall, F1 and macro-F1 match hand computation', () => {
  assert.equal(accuracy(yTrue, yPred), 0.6);
  const pc = perClassMetrics(confusionMatrix(yTrue, yPred, 3));
  // class 0: tp 2, predicted 3, support 4 -> p 2/3, r 1/2, f1 = 2*(1/3)/(7/6) = 4/7
  // class 1: tp 2, predicted 4, support 3 -> p 1/2, r 2/3, f1 = 4/7
  // class 2: tp 2, predicted 3, support 3 -> p 2/3, r 2/3, f1 = 2/3
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);
  close(pc[0].precision, 2 / 3);
  close(pc[0].recall, 1 / 2);
  close(pc[0].f1, 4 / 7);
  close(pc[1].precision, 1 / 2);
  close(pc[1].recall, 2 / 3);
  close(pc[1].f1, 4 / 7);
  close(pc[2].precision, 2 / 3);
  close(pc[2].recall, 2 / 3);
  close(pc[2].f1, 2 / 3);
  assert.deepEqual(
    pc.map((c) => c.support),
    [4, 3, 3],
  );
  close(macroF1(confusionMatrix(yTrue, yPred, 3)), (4 / 7 + 4 / 7 + 2 / 3) / 3);
});

test('a class never predicted has precision 0, not NaN', () => {
  const pc = perClassMetrics(confusionMatrix([0, 1], [0, 0], 2));
  assert.equal(pc[1].precision, 0);
  assert.equal(pc[1].f1, 0);
});

test('computeMetrics gives the JSON shape eval prints', () => {
  const m = computeMetrics(yTrue, yPred, ['a', 'b', 'c']);
  assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'confusion', 'labels', 'macroF1', 'perClass', 'samples']);
  assert.equal(m.samples, 10);
  assert.deepEqual(Object.keys(m.perClass), ['a', 'b', 'c']);
  assert.equal(m.perClass['c'].support, 3);
});

test('argmax of probability rows and cross-entropy', () => {
  const probs = [0.1, 0.7, 0.2, 0.5, 0.25, 0.25];
  assert.deepEqual([...argmaxRows(probs, 3)], [1, 0]);
  const ce = crossEntropy(probs, [1, 2], 3);
  assert.ok(Math.abs(ce - -(Math.log(0.7) + Math.log(0.25)) / 2) < 1e-12);
});

test('confident mistakes: only wrong predictions, most confident first, ties by index, at most n', () => {
  const probs = [
    0.9,
    0.1,
    0, // right
    0.2,
    0.8,
    0, // wrong, 0.8
    0.1,
    0,
    0.9, // wrong, 0.9
    0,
    0.8,
    0.2, // wrong, 0.8 (tie: later index)
    0.4,
    0.6,
    0, // right
  ];
  const yTrue = [0, 0, 1, 2, 1];
  const all = confidentMistakes(probs, yTrue, 3, 10);
  assert.deepEqual(
    all.map((m) => m.index),
    [2, 1, 3],
  );
  assert.deepEqual(all[0], { index: 2, label: 1, predicted: 2, confidence: 0.9 });
  assert.deepEqual(
    confidentMistakes(probs, yTrue, 3, 2).map((m) => m.index),
    [2, 1],
  );
  assert.deepEqual(confidentMistakes(probs, yTrue, 3, 0), []);
  assert.throws(() => confidentMistakes(probs.slice(3), yTrue, 3, 1), RangeError);
});
