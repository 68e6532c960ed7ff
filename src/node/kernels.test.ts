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
