import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';

const engine = await initEngine('auto');
const skip = engine.native ? false : `the native engine is not in use here (${engine.reason})`;

test('Step: ferkit kernel gives the values of the definition, alpha 0 and not', { skip }, async () => {
  const values = [-3, -1e-30, -0, 0, 1e-30, 0.5, 7, Infinity, -Infinity];
  assert.deepEqual(Array.from(await tf.step(tf.tensor1d(values)).data()), [0, 0, 0, 0, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(await tf.step(tf.tensor1d(values), 0.25).data()), [0.25, 0.25, 0.25, 0.25, 1, 1, 1, 1, 0.25]);
});

test('Step: the ReLU gradient through it is dy where x > 0, 0 elsewhere, and no tensor is left behind', { skip }, async () => {
  const before = tf.memory().numTensors;
  const x = tf.tensor2d([
    [-2, 0, 3],
    [4, -5, 0.1],
  ]);
  const dy = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const g = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
  assert.deepEqual(Array.from(await g.data()), [0, 0, 3, 4, 0, 6]);
  tf.dispose([x, dy, g]);
  assert.equal(tf.memory().numTensors, before);
});

test('on the native engine, clipByValue(x, 0, 6) runs as one Relu6 op with the same values, and other clips are unchanged', { skip }, async () => {
  const values = [-1e6, -7, -6, -1, -1e-7, 0, 1e-7, 0.5, 3, 5.999999, 6, 6.000001, 7, 1e6, Number.NaN];
  const x = tf.tensor1d(values);
  const profile = await tf.profile(() => tf.clipByValue(x, 0, 6).dispose());
  assert.deepEqual(profile.kernelNames, ['ClipByValue'], 'one op, no minimum and maximum passes');
  const got = tf.clipByValue(x, 0, 6);
  const out = await got.data();
  values.forEach((v, i) => {
    const want = Math.min(6, Math.max(0, Math.fround(v)));
    if (Number.isNaN(v)) return; // TensorFlow's ops differ on NaN; not asked of either
    assert.ok(Math.abs(out[i] - want) <= 1e-6, `${v}: ${out[i]} vs ${want}`);
  });
  const other = await tf.clipByValue(x, -1, 2).data();
  assert.deepEqual(Array.from(other.slice(0, 4)), [-1, -1, -1, -1]);
  assert.equal(other[13], 2);
  tf.dispose([x, got]);
});
