import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedSplit } from './split.js';
import { classCounts } from './dataset.js';

const labels = Int32Array.from([...Array(100).fill(0), ...Array(50).fill(1), ...Array(10).fill(2), ...Array(5).fill(3)]);

test('stratified 4:1 split keeps class proportions and covers every index once', () => {
  const { train, test: held } = stratifiedSplit(labels, 0.2, 7);
  assert.deepEqual(
    classCounts(
      [...held].map((i) => labels[i]),
      4,
    ),
    [20, 10, 2, 1],
  );
  assert.deepEqual(
    classCounts(
      [...train].map((i) => labels[i]),
      4,
    ),
    [80, 40, 8, 4],
  );
  const all = [...train, ...held].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: labels.length }, (_, i) => i),
  );
});

test('the split is seeded: same seed same split, other seed other split', () => {
  const a = stratifiedSplit(labels, 0.2, 1);
  const b = stratifiedSplit(labels, 0.2, 1);
  const c = stratifiedSplit(labels, 0.2, 2);
  assert.deepEqual([...a.test], [...b.test]);
  assert.notDeepEqual([...a.test], [...c.test]);
});

test('a fraction outside (0,1) is refused', () => {
  assert.throws(() => stratifiedSplit(labels, 1.5), /between 0 and 1/);
  assert.throws(() => stratifiedSplit(labels, 0), /between 0 and 1/);
});
