import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, fillDropoutMask, mixSeed } from './random.js';

test('fillDropoutMask gives the mask of the generator it inlines, value for value', () => {
  for (const [seed, keep] of [
    [mixSeed(7, 1), 0.75],
    [mixSeed(7, 2), 0.5],
    [0, 0.9],
    [0xffffffff, 0.1],
  ]) {
    const scale = 1 / keep;
    const rng = createRng(seed);
    const want = Float32Array.from({ length: 10_000 }, () => (rng() < keep ? scale : 0));
    assert.deepEqual(fillDropoutMask(new Float32Array(10_000), seed, keep, scale), want);
  }
});

test('fillDropoutMask keeps about `keep` of the values', () => {
  const mask = fillDropoutMask(new Float32Array(100_000), 3, 0.75, 4 / 3);
  const kept = mask.filter((v) => v > 0).length / mask.length;
  assert.ok(Math.abs(kept - 0.75) < 0.01, `${kept}`);
});
