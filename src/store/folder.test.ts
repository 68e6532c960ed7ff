import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../node/engine.js';
import { bundledModelsDir, loadModel, modelFingerprint, resolveModelDir, saveModel } from './folder.js';
import { float16Bits, toFloat16Weights, encodeTensors, decodeTensors } from '../core/models/weights.js';
import { getArchitecture } from '../core/models/architectures.js';
import { predictProbabilities } from '../core/models/predict.js';
import { EMOTIONS } from '../core/labels.js';
import { DEFAULT_PREPROCESSING } from '../core/models/metadata.js';
import { syntheticFaces, tempDir } from '../../test/fixtures.js';
import { saveEnsemble } from './ensemble.js';
import { nodePlatform } from '../node/platform.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

test('float16Bits: exact values, rounding to nearest even, subnormals, overflow, NaN', () => {
  assert.equal(float16Bits(0), 0x0000);
  assert.equal(float16Bits(-0), 0x8000);
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(1e6), 0x7c00);
  assert.equal(float16Bits(-Infinity), 0xfc00);
  assert.equal(float16Bits(2 ** -24), 0x0001);
  assert.equal(float16Bits(2 ** -14), 0x0400);
  assert.equal(float16Bits(2 ** -26), 0x0000);
  assert.equal(float16Bits(1 + 2 ** -11), 0x3c00, 'halfway rounds to even (down)');
  assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02, 'halfway rounds to even (up)');
  assert.equal(float16Bits(0.1), 0x2e66);
  assert.equal(float16Bits(NaN) & 0x7c00, 0x7c00);
  assert.notEqual(float16Bits(NaN) & 0x3ff, 0);
});

test('float16 weights decode back (through tfjs) within half precision', async () => {
  const values = [0, 1, -1, 0.1, -0.333, 3.14159, 1e-5, -2e-7, 1234.5];
  const t = tf.tensor1d(values);
  const { data, specs } = await encodeTensors([{ name: 'w', tensor: t }]);
  const half = toFloat16Weights(data, specs);
  assert.equal(half.data.byteLength, values.length * 2);
  assert.deepEqual(half.specs[0].quantization, { dtype: 'float16' });
  const back = decodeTensors(half.data, half.specs)['w'].dataSync();
  values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -24), `${v} -> ${back[i]}`));
  t.dispose();
});

test('a model saved with float16 weights is half the size and predicts the same classes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = getArchitecture('vgg').build({ seed: 5, numClasses: 7, inputSize: 48 });
    const meta = { architecture: 'vgg', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
    await saveModel(model, join(dir, 'f32'), meta);
    await saveModel(model, join(dir, 'f16'), meta, { weights: 'float16' });
    const size32 = statSync(join(dir, 'f32', 'weights.bin')).size;
    const size16 = statSync(join(dir, 'f16', 'weights.bin')).size;
    assert.equal(size16 * 2, size32);
    assert.equal(JSON.parse(readFileSync(join(dir, 'f16', 'ferkit.json'), 'utf8')).weightsDtype, 'float16');
    const a = await loadModel(join(dir, 'f32'));
    const b = await loadModel(join(dir, 'f16'));
    const px = syntheticFaces(4, 7, 3).pixels;
    const p32 = await predictProbabilities(a.model, px);
    const p16 = await predictProbabilities(b.model, px);
    let maxDiff = 0;
    for (let i = 0; i < p32.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p32[i] - p16[i]));
    // float16 weights keep 11 significant bits (relative error 2^-11 = 4.9e-4 per weight): measured 5.9e-5
    assert.ok(maxDiff < 5e-3, `max probability difference ${maxDiff}`);
    [model, a.model, b.model].forEach((m) => m.dispose());
  } finally {
    cleanup();
  }
});

test('resolveModelDir: folders as given; a bare name that is no folder here names a bundled model', () => {
  assert.equal(resolveModelDir('/nonexistent-model'), '/nonexistent-model');
  assert.equal(resolveModelDir('no-such-bundled-model'), 'no-such-bundled-model');
  assert.equal(resolveModelDir('paper'), join(bundledModelsDir(), 'paper'));
  assert.equal(resolveModelDir('.'), '.');
});

test('modelFingerprint: the same for the same weights wherever they are, another for other weights; ensembles too', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const meta = { architecture: 'tiny', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
    for (const [name, seed] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const model = getArchitecture('tiny').build({ seed, numClasses: 7, inputSize: 48 });
      await saveModel(model, join(dir, name), meta);
      model.dispose();
    }
    cpSync(join(dir, 'a'), join(dir, 'a-copy'), { recursive: true });
    assert.match(modelFingerprint(join(dir, 'a')), /^[0-9a-f]{64}$/);
    assert.equal(modelFingerprint(join(dir, 'a-copy')), modelFingerprint(join(dir, 'a')));
    assert.notEqual(modelFingerprint(join(dir, 'b')), modelFingerprint(join(dir, 'a')));
    assert.throws(() => modelFingerprint(join(dir, 'nothing')), /no model in/);
    // an ensemble's fingerprint covers its members: another member, another fingerprint
    const ensemble = (members: string[], out: string) =>
      saveEnsemble(
        members.map((m) => join(dir, m)),
        join(dir, out),
        { startClassifier: nodePlatform().startClassifier },
      ).then(() => 0);
    assert.equal(await ensemble(['a', 'b'], 'ab'), 0);
    assert.equal(await ensemble(['a', 'a-copy'], 'aa'), 0);
    assert.match(modelFingerprint(join(dir, 'ab')), /^[0-9a-f]{64}$/);
    assert.notEqual(modelFingerprint(join(dir, 'ab')), modelFingerprint(join(dir, 'aa')));
    assert.notEqual(modelFingerprint(join(dir, 'ab')), modelFingerprint(join(dir, 'a')));
  } finally {
    cleanup();
  }
});
