import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../node/engine.js';
import { getArchitecture, listArchitectures } from './architectures.js';
import { DEFAULT_PREPROCESSING } from './metadata.js';
import { loadModel, saveModel } from '../../store/folder.js';
import { predictProbabilities } from './predict.js';
import { EMOTIONS } from '../labels.js';
import { syntheticFaces, tempDir } from '../../../test/fixtures.js';

await initEngine(process.env.FERKIT_BACKEND as 'auto' | undefined ?? 'auto', { training: true });

const PARAMS: Record<string, [number, number]> = { paper: [2.3e6, 2.4e6], vgg: [1.7e6, 1.85e6], fast: [4.2e5, 4.7e5], xception: [5.5e4, 6.5e4], tiny: [1e3, 2e4] };

test('every architecture builds a 48x48x1 -> 7 softmax model of the size its description states', () => {
  assert.deepEqual(listArchitectures().map((a) => a.name).sort(), Object.keys(PARAMS).sort());
  for (const arch of listArchitectures()) {
    const model = arch.build({ seed: 1, numClasses: 7, inputSize: 48 });
    const [lo, hi] = PARAMS[arch.name];
    assert.ok(model.countParams() >= lo && model.countParams() <= hi, `${arch.name}: ${model.countParams()} parameters`);
    const y = tf.tidy(() => model.predict(tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 2)) as tf.Tensor);
    assert.deepEqual(y.shape, [3, 7]);
    const sums = tf.tidy(() => y.sum(1).arraySync() as number[]);
    sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5)); // a float32 softmax sums to 1 within ~1e-7
    y.dispose();
    model.dispose();
  }
});

test('the same seed builds the same weights', () => {
  for (const name of ['vgg', 'xception']) {
    const a = getArchitecture(name).build({ seed: 7, numClasses: 7, inputSize: 48 });
    const b = getArchitecture(name).build({ seed: 7, numClasses: 7, inputSize: 48 });
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(wa, wb, name);
    a.dispose();
    b.dispose();
  }
});

test('the residual separable net (a functional model) trains a step and survives save/load', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = getArchitecture('xception').build({ seed: 3, numClasses: 7, inputSize: 48 });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const { pixels, labels } = syntheticFaces(2, 7, 4);
    const x = tf.tensor4d(Float32Array.from(pixels, (p) => p / 255), [labels.length, 48, 48, 1]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 7);
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const loss = await model.trainOnBatch(x, y) as number;
    assert.ok(Number.isFinite(loss));
    const after = model.getWeights().map((w) => w.dataSync());
    assert.ok(after.some((w, i) => w.some((v, j) => v !== before[i][j])), 'weights moved');
    await saveModel(model, join(dir, 'm'), { architecture: 'xception', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING });
    const saved = await loadModel(join(dir, 'm'));
    const p1 = await predictProbabilities(model, pixels);
    const p2 = await predictProbabilities(saved.model, pixels);
    // the same weights after a save and a load, the same engine and batch: rounding only
    for (let i = 0; i < p1.length; i++) assert.ok(Math.abs(p1[i] - p2[i]) < 1e-6);
    tf.dispose([x, y]);
    model.dispose();
    saved.model.dispose();
  } finally {
    cleanup();
  }
});
