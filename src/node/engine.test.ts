import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine, oneDnnWorks } from './engine.js';
import { getArchitecture } from '../core/models/architectures.js';
import { syntheticFaces } from '../../test/fixtures.js';
import { predictProbabilities } from '../core/models/predict.js';

async function nativeAvailable(): Promise<boolean> {
  try {
    const spec = '@tensorflow/tfjs-node'; // optional dependency: resolved at run time only
    await import(spec);
    return true;
  } catch {
    return false;
  }
}

test('auto picks a working backend and says why', async () => {
  const info = await initEngine('auto');
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
  assert.equal(tf.getBackend(), info.backend);
  assert.ok(info.reason.length > 10);
  if (!info.native) assert.match(info.warning ?? '', /slow/);
});

test('an unknown backend is refused with the choices', async () => {
  await assert.rejects(initEngine('gpu' as 'auto'), /use auto, native, wasm or cpu/);
});

test(
  'the native engine and the pure-JS backend predict the same on the same weights (max abs diff < 1e-4)',
  { skip: (await nativeAvailable()) ? false : 'the native engine (@tensorflow/tfjs-node) is not installed here' },
  async () => {
    const { pixels } = syntheticFaces(4); // 28 images
    await initEngine('cpu');
    const model = getArchitecture('paper').build({ seed: 5, numClasses: 7, inputSize: 48 });
    const weights = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
    const cpu = await predictProbabilities(model, pixels, 8);
    model.dispose();

    const info = await initEngine('native');
    assert.equal(info.backend, 'tensorflow');
    const twin = getArchitecture('paper').build({ seed: 99, numClasses: 7, inputSize: 48 });
    twin.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    const native = await predictProbabilities(twin, pixels, 8);
    twin.dispose();

    let maxDiff = 0;
    for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - native[i]));
    // two engines, other kernels and summation orders: measured 3e-8 (native with and without oneDNN, wasm);
    // 1e-4 leaves three orders of magnitude and still fails on a wrong weight or layer
    assert.ok(maxDiff < 1e-4, `max abs difference ${maxDiff}`);
    // the predictions are not trivially equal: the images get different outputs
    assert.ok(Math.abs(cpu[0] - cpu[7 * 3]) > 1e-6 || Math.abs(cpu[1] - cpu[7 * 3 + 1]) > 1e-6);
  },
);

test(
  'the oneDNN probe answers for a net, the same again from its cache',
  { skip: (await nativeAvailable()) ? false : 'the native engine (@tensorflow/tfjs-node) is not installed here' },
  () => {
    const probe = { architectures: ['tiny'], batchSizes: [4, 1] };
    const first = oneDnnWorks(probe);
    assert.equal(typeof first, 'boolean');
    assert.equal(oneDnnWorks(probe), first);
  },
);

test(
  'a oneDNN probe that fails without a fault (an unknown architecture) answers false',
  { skip: (await nativeAvailable()) ? false : 'the native engine (@tensorflow/tfjs-node) is not installed here' },
  () => {
    assert.equal(oneDnnWorks({ architectures: ['no-such-architecture'], batchSizes: [2] }), false);
  },
);
