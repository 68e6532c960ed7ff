import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanOverViews, testTimeViews } from './tta.js';

test('test-time views: none, flip (face then mirror), ten-crop (five 90% crops enlarged, then their mirrors)', () => {
  const size = 10,
    n = 2;
  const batch = new Float32Array(n * size * size);
  for (let i = 0; i < n; i++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) batch[(i * size + y) * size + x] = i * 100 + x; // a ramp left to right
  assert.equal(testTimeViews(batch, n, false, size).count, 1);
  const flip = testTimeViews(batch, n, 'flip', size);
  assert.equal(flip.count, 2);
  assert.equal(flip.views[(n * size + 0) * size + 0], 9, 'view 1 of face 0 is its mirror');
  const ten = testTimeViews(batch, n, 'ten-crop', size);
  assert.equal(ten.count, 10);
  assert.equal(ten.views.length, 10 * batch.length);
  const at = (view: number, face: number, x: number, y: number) => ten.views[((view * n + face) * size + y) * size + x];
  // the centre crop keeps the middle of the ramp; the top-left one starts at the left edge, the top-right one ends at the right edge
  assert.ok(Math.abs(at(0, 0, 0, 0) + at(0, 0, 9, 0) - 9) < 1e-5, 'centre crop symmetric about the middle');
  assert.ok(at(1, 0, 0, 0) < at(0, 0, 0, 0) && at(2, 0, 9, 0) > at(0, 0, 9, 0));
  assert.ok(at(1, 1, 0, 0) >= 100 && at(1, 1, 9, 5) < 110, 'face 1 is cut from face 1');
  // views 5-9 mirror views 0-4
  for (let v = 0; v < 5; v++) assert.equal(at(v + 5, 1, 9, 3), at(v, 1, 0, 3));
});

test('the mean over views averages each face and class across its views', () => {
  // n = 2 faces, k = 2 classes, 3 views
  const probs = [0.2, 0.8, 0.6, 0.4, /* view 1 */ 0.4, 0.6, 0.6, 0.4, /* view 2 */ 0.6, 0.4, 0.6, 0.4];
  const out = new Float32Array(6);
  meanOverViews(probs, 2, 2, 3, out, 2);
  assert.deepEqual(Array.from(out.slice(2), (v) => Math.round(v * 1e6) / 1e6), [0.4, 0.6, 0.6, 0.4]);
});
