import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../core/random.js';
import { mixupBatch, sampleBeta, sampleGamma } from './mixup.js';

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
};

test('sampleGamma and sampleBeta: the moments of Gamma(k, 1) and Beta(a, a), for shapes below and above 1', () => {
  const rng = createRng(5);
  for (const k of [0.2, 1, 3.5]) {
    const { mean, variance } = stats(Array.from({ length: 20000 }, () => sampleGamma(k, rng)));
    assert.ok(Math.abs(mean - k) < 0.05 * Math.max(1, k), `Gamma(${k}) mean ${mean}`);
    assert.ok(Math.abs(variance - k) < 0.1 * Math.max(1, k), `Gamma(${k}) variance ${variance}`);
  }
  for (const a of [0.2, 1, 4]) {
    const xs = Array.from({ length: 20000 }, () => sampleBeta(a, rng));
    assert.ok(xs.every((x) => x >= 0 && x <= 1));
    const { mean, variance } = stats(xs);
    assert.ok(Math.abs(mean - 0.5) < 0.01, `Beta(${a}) mean ${mean}`);
    const expected = 1 / (4 * (2 * a + 1));
    assert.ok(Math.abs(variance - expected) < 0.1 * expected, `Beta(${a}) variance ${variance}, expected ${expected}`);
  }
});

test("mixupBatch: every image and target becomes lam * own + (1 - lam) * one partner's, seeded by (seed, step)", () => {
  const count = 8,
    size = 5,
    classes = 3;
  const images = Float32Array.from({ length: count * size }, (_, i) => Math.floor(i / size) * 10 + (i % size));
  const targets = new Float32Array(count * classes);
  for (let k = 0; k < count; k++) targets[k * classes + (k % classes)] = 1;
  const x = images.slice(),
    y = targets.slice();
  const lam = mixupBatch(x, y, count, classes, 0.4, 7, 3);
  assert.ok(lam >= 0.5 && lam <= 1, `lam ${lam}`);
  const partners = new Set<number>();
  for (let k = 0; k < count; k++) {
    // the partner is the image whose blend reproduces this row
    const p = [...Array(count).keys()].find((j) =>
      [...Array(size).keys()].every((i) => Math.abs(x[k * size + i] - (lam * images[k * size + i] + (1 - lam) * images[j * size + i])) < 1e-4),
    );
    assert.ok(p !== undefined, `image ${k} is no blend of the batch`);
    partners.add(p);
    for (let c = 0; c < classes; c++) assert.ok(Math.abs(y[k * classes + c] - (lam * targets[k * classes + c] + (1 - lam) * targets[p * classes + c])) < 1e-6);
    assert.ok(Math.abs(y.subarray(k * classes, (k + 1) * classes).reduce((a, b) => a + b, 0) - 1) < 1e-6, 'targets still sum to 1');
  }
  assert.equal(partners.size, count, 'the partners are a permutation of the batch');
  // the same (seed, step) mixes the same way; another step another way
  const x2 = images.slice(),
    y2 = targets.slice();
  assert.equal(mixupBatch(x2, y2, count, classes, 0.4, 7, 3), lam);
  assert.deepEqual(x2, x);
  const x3 = images.slice();
  assert.notDeepEqual((mixupBatch(x3, targets.slice(), count, classes, 0.4, 7, 4), x3), x);
  // a batch of one has nobody to mix with
  const one = images.slice(0, size);
  assert.equal(mixupBatch(one, targets.slice(0, classes), 1, classes, 0.4, 7, 3), 1);
  assert.deepEqual(one, images.slice(0, size));
});
