import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../node/engine.js';
import { getArchitecture } from './architectures.js';
import { foldBatchNorm, unfoldBatchNorm } from './fold.js';
import { batchTensor, predictProbabilities, range } from './predict.js';
import { syntheticFaces } from '../../../test/fixtures.js';

await initEngine(process.env.FERKIT_BACKEND as 'auto' | undefined ?? 'auto');

test('folding batch norm into the layers before it keeps the function and drops the layers', async () => {
  const model = getArchitecture('vgg').build({ seed: 2, numClasses: 7, inputSize: 48 });
  // give every batch norm non-trivial statistics and affine parameters
  model.layers.filter((l) => l.getClassName() === 'BatchNormalization').forEach((l, j) => {
    l.setWeights(l.getWeights().map((w, i) => tf.tidy(() => {
      const name = l.weights[i].originalName;
      const u = tf.randomUniform(w.shape, 0, 1, 'float32', 100 * j + i);
      return name.endsWith('variance') ? u.add(0.5) : name.endsWith('gamma') ? u.add(0.5) : u.sub(0.5);
    })));
  });
  const folded = await foldBatchNorm(model);
  assert.ok(folded);
  const classes = folded.layers.map((l) => l.getClassName());
  assert.ok(!classes.includes('BatchNormalization'), classes.join(','));
  assert.equal(classes.filter((c) => c === 'Activation').length, 0, 'ReLUs merged into the layers');
  // each batch norm's 4 numbers per channel become 1 bias per channel
  const bnParams = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').reduce((a, l) => a + l.countParams(), 0);
  assert.equal(folded.countParams(), model.countParams() - bnParams + bnParams / 4);
  const px = syntheticFaces(3, 7, 9).pixels;
  const a = await predictProbabilities(model, px);
  const b = await predictProbabilities(folded, px);
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  // folding batch norm into the convolutions reorders the arithmetic: measured up to 1.7e-6 (wasm included)
  assert.ok(maxDiff < 1e-4, `max probability difference ${maxDiff}`);
  assert.ok(a.some((v) => Math.abs(v - 1 / 7) > 0.01), 'the test model is not trivially uniform');
  model.dispose();
  folded.dispose();
});

test('models without batch norm, and functional models, are not folded', async () => {
  const paper = getArchitecture('paper').build({ seed: 1, numClasses: 7, inputSize: 48 });
  const xception = getArchitecture('xception').build({ seed: 1, numClasses: 7, inputSize: 48 });
  assert.equal(await foldBatchNorm(paper), null);
  assert.equal(await foldBatchNorm(xception), null);
  paper.dispose();
  xception.dispose();
});

test('unfolding an exported model gives a trainable model of the same function, in inference and on a batch like the sample', async () => {
  const model = getArchitecture('fast').build({ seed: 4, numClasses: 7, inputSize: 48 });
  model.layers.filter((l) => l.getClassName() === 'BatchNormalization').forEach((l, j) => {
    l.setWeights(l.getWeights().map((w, i) => tf.tidy(() => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', 10 * j + i))));
  });
  const folded = await foldBatchNorm(model);
  assert.ok(folded);
  const fresh = getArchitecture('fast').build({ seed: 9, numClasses: 7, inputSize: 48 });
  const px = syntheticFaces(8, 7, 5).pixels;
  const sample = batchTensor(px, range(0, 56));
  unfoldBatchNorm(folded, fresh, sample);
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const want = await predictProbabilities(folded, px);
  const inference = await predictProbabilities(fresh, px);
  assert.ok(maxDiff(want, inference) < 1e-4, `inference: max probability difference ${maxDiff(want, inference)}`);
  const untouched = getArchitecture('fast').build({ seed: 9, numClasses: 7, inputSize: 48 });
  assert.ok(maxDiff(want, await predictProbabilities(untouched, px)) > 1e-2, 'a fresh model differs');
  // in training mode each batch norm uses the batch's own statistics: on the sample, those are the ones unfolding measured
  const bnOnly = fresh.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  assert.ok(bnOnly.length > 0);
  const trained = tf.tidy(() => {
    let x: tf.Tensor = sample;
    for (const l of fresh.layers.filter((l) => l.getClassName() !== 'InputLayer')) x = l.apply(x, { training: l.getClassName() === 'BatchNormalization' }) as tf.Tensor;
    return x.dataSync() as Float32Array;
  });
  const inferred = tf.tidy(() => fresh.predict(sample) as tf.Tensor).dataSync() as Float32Array;
  assert.ok(maxDiff(trained, inferred) < 1e-3, `batch statistics: max difference ${maxDiff(trained, inferred)}`);
  const bad = getArchitecture('paper').build({ seed: 1, numClasses: 7, inputSize: 48 });
  assert.throws(() => unfoldBatchNorm(folded, bad, sample), /does not match/);
  sample.dispose();
  for (const m of [model, folded, fresh, untouched, bad]) m.dispose();
});
